import type { DestinationStream } from 'pino';
import { httpUrlSchema } from '../../config.js';
import { CallbridgeError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { UsageError, write, type CliIo, type CommandSpec } from '../cli-io.js';
import { loadSettings, serve } from '../serve.js';
import { openNgrokTunnel, type Tunnel } from '../tunnel.js';
import { describeChange, pointNumber, twilioRestFor } from '../twilio-number.js';

const NGROK_TOKEN_HELP =
  'dev --tunnel needs NGROK_AUTHTOKEN: sign up (free) at https://dashboard.ngrok.com/signup, copy your authtoken from\n' +
  'https://dashboard.ngrok.com/get-started/your-authtoken into .env as NGROK_AUTHTOKEN=..., and run this again.\n' +
  'Using another tunnel (cloudflared, tailscale funnel, ...)? Point it at PORT and run: npx callbridge dev --public-url https://<its URL>';

export const devCommand: CommandSpec = {
  usage: 'dev [--tunnel | --public-url <url>]',
  summary: 'go live from your machine: open an ngrok tunnel, point TWILIO_PHONE_NUMBER at it, serve with readable logs',
  help: [
    'Options:',
    '  --tunnel            open an ngrok tunnel to PORT (needs NGROK_AUTHTOKEN) and use its URL as PUBLIC_URL',
    '  --public-url <url>  use your own tunnel or proxy at this URL instead',
    '',
    "Without either, PUBLIC_URL is used. With TWILIO_PHONE_NUMBER set, the number's voice webhook is pointed at",
    'PUBLIC_URL/twilio/voice (POST) and what changed is printed. Ctrl-C stops the server and closes the tunnel.',
  ].join('\n'),
  options: { tunnel: { type: 'boolean', default: false }, 'public-url': { type: 'string' } },
  async run({ values }, io) {
    const publicUrlFlag = values['public-url'] as string | undefined;
    if (values['tunnel'] && publicUrlFlag !== undefined) throw new UsageError('--tunnel opens a tunnel, --public-url names yours: pick one');
    if (publicUrlFlag !== undefined && !httpUrlSchema.safeParse(publicUrlFlag).success) throw new UsageError(`--public-url must be an http:// or https:// URL (got "${publicUrlFlag}")`);
    const settings = loadSettings(io);
    if (!settings) return 1;

    let tunnel: Tunnel | undefined;
    if (values['tunnel']) {
      if (!settings.ngrokAuthtoken) {
        write(io.stderr, NGROK_TOKEN_HELP);
        return 1;
      }
      try {
        tunnel = await (io.openTunnel ?? openNgrokTunnel)({ port: settings.port, authtoken: settings.ngrokAuthtoken });
      } catch (error) {
        write(io.stderr, `callbridge dev: ngrok could not open a tunnel: ${error instanceof Error ? error.message : String(error)}\n${NGROK_TOKEN_HELP}`);
        return 1;
      }
    }
    try {
      const publicUrl = tunnel?.url ?? publicUrlFlag ?? settings.publicUrl;
      const config = loadSettings(io, publicUrl === undefined ? io.env : { ...io.env, PUBLIC_URL: publicUrl });
      if (!config) return 1;
      const lines = [`  public URL  ${config.publicUrl ?? '(none: set PUBLIC_URL, or use --tunnel)'}${tunnel ? ` (ngrok tunnel to port ${config.port})` : ''}`];
      if (config.publicUrl && config.twilio.phoneNumber) {
        try {
          lines.push(`  number      ${describeChange(await pointNumber(twilioRestFor(config, io), config.twilio.phoneNumber, config.publicUrl))}`);
        } catch (error) {
          if (!(error instanceof CallbridgeError)) throw error;
          lines.push(`  number      NOT pointed at callbridge: ${error.message}`);
        }
      } else if (!config.twilio.phoneNumber) {
        lines.push('  number      TWILIO_PHONE_NUMBER is not set: set it to have your number pointed here (see npx callbridge twilio setup)');
      }
      lines.push(`  dashboard   ${config.operatorToken && config.publicUrl ? `${config.publicUrl}/ (sign in with OPERATOR_TOKEN)` : 'off (set OPERATOR_TOKEN)'}`);
      const logger = createLogger(config.logLevel, await readableLogs(io));
      return await serve(config, logger, io, (url) => {
        write(io.stdout, `callbridge dev: listening on ${url}\n${lines.join('\n')}`);
        write(io.stdout, config.twilio.phoneNumber ? `Call ${config.twilio.phoneNumber} now. Ctrl-C stops.` : 'Ctrl-C stops.');
      });
    } finally {
      await tunnel?.close();
    }
  },
};

/** pino-pretty when installed (a clone's dev dependencies); JSON lines otherwise. */
async function readableLogs(io: CliIo): Promise<DestinationStream> {
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({
      destination: io.stdout as never,
      colorize: (io.stdout as { isTTY?: boolean }).isTTY === true,
      ignore: 'pid,hostname,service',
      singleLine: true,
      sync: true,
    });
  } catch {
    return io.stdout as DestinationStream;
  }
}
