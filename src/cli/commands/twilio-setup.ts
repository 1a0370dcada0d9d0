import { E164, E164_MESSAGE } from '../../config.js';
import { CallbridgeError, UpstreamError } from '../../errors.js';
import { UsageError, write, type CommandSpec } from '../cli-io.js';
import { loadSettings } from '../serve.js';
import { describeChange, describeNumber, pointNumber, twilioRestFor } from '../twilio-number.js';

export const twilioSetupCommand: CommandSpec = {
  usage: 'twilio setup [--number <E.164>] [--public-url <url>]',
  summary: "point a Twilio number's voice webhook at PUBLIC_URL/twilio/voice (POST); without --number, list your numbers",
  help: [
    'Options:',
    '  --number <E.164>    the number to point at callbridge, e.g. +14155550100',
    '  --public-url <url>  where Twilio reaches callbridge (default: PUBLIC_URL)',
    '',
    'Uses TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN through the Twilio REST API.',
  ].join('\n'),
  options: { number: { type: 'string' }, 'public-url': { type: 'string' } },
  async run({ values }, io) {
    const number = values['number'] as string | undefined;
    if (number !== undefined && !E164.test(number)) throw new UsageError(`--number ${E164_MESSAGE} (got "${number}")`);
    const publicUrlFlag = values['public-url'] as string | undefined;
    const config = loadSettings(io, publicUrlFlag === undefined ? io.env : { ...io.env, PUBLIC_URL: publicUrlFlag });
    if (!config) return 1;
    const rest = twilioRestFor(config, io);
    try {
      if (number === undefined) {
        const numbers = await rest.listNumbers();
        if (numbers.length === 0) {
          write(io.stderr, 'This Twilio account has no phone numbers: buy one with voice at https://console.twilio.com/ (Phone Numbers).');
          return 1;
        }
        write(io.stdout, `Your Twilio numbers:\n${numbers.map((entry) => `  ${describeNumber(entry)}${entry.phoneNumber === config.twilio.phoneNumber ? '   <- TWILIO_PHONE_NUMBER' : ''}`).join('\n')}`);
        write(io.stdout, '\nPoint one at callbridge: npx callbridge twilio setup --number <number>');
        return 0;
      }
      if (!config.publicUrl) {
        write(io.stderr, 'callbridge twilio setup: PUBLIC_URL is not set: set it (or pass --public-url https://...) to where Twilio reaches callbridge.');
        return 1;
      }
      write(io.stdout, describeChange(await pointNumber(rest, number, config.publicUrl)));
      if (config.twilio.phoneNumber !== number) write(io.stdout, `Set TWILIO_PHONE_NUMBER=${number} in .env so doctor checks it and outbound calls use it.`);
      return 0;
    } catch (error) {
      if (!(error instanceof UpstreamError) && !(error instanceof CallbridgeError)) throw error;
      write(io.stderr, `callbridge twilio setup: ${error.message}`);
      return 1;
    }
  },
};
