import type { Config } from '../config.js';
import { CallbridgeError } from '../errors.js';
import { TwilioSdkRest, type PhoneNumber, type TwilioRest } from '../telephony/twilio-rest.js';
import type { CliIo } from './cli-io.js';

export function twilioRestFor(config: Readonly<Config>, io: CliIo): TwilioRest {
  return (
    io.twilioRest ??
    new TwilioSdkRest({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: config.twilio.apiBaseUrl })
  );
}

export const voiceWebhookUrl = (publicUrl: string) => `${publicUrl}/twilio/voice`;

/** One line for a number: where its calls go now. */
export function describeNumber(number: PhoneNumber): string {
  return `${number.phoneNumber}  voice webhook: ${number.voiceUrl === '' ? '(none)' : `${number.voiceUrl} (${number.voiceMethod || 'POST'})`}`;
}

/** Points `phoneNumber`'s incoming calls at callbridge; resolves with what it was and what it is now. */
export async function pointNumber(
  rest: TwilioRest,
  phoneNumber: string,
  publicUrl: string,
): Promise<{ before: PhoneNumber; after: PhoneNumber }> {
  const [before] = await rest.listNumbers({ phoneNumber });
  if (!before) {
    const numbers = await rest.listNumbers();
    const yours = numbers.length === 0 ? 'it has no numbers yet' : `its numbers: ${numbers.map((number) => number.phoneNumber).join(', ')}`;
    throw new CallbridgeError('number_not_found', `${phoneNumber} is not a number of this Twilio account (${yours})`);
  }
  const after = await rest.setVoiceWebhook(before.sid, { url: voiceWebhookUrl(publicUrl), method: 'POST' });
  return { before, after };
}

export function describeChange({ before, after }: { before: PhoneNumber; after: PhoneNumber }): string {
  const was = before.voiceUrl === '' ? '(none)' : `${before.voiceUrl} (${before.voiceMethod || 'POST'})`;
  if (was === `${after.voiceUrl} (${after.voiceMethod})`) return `${after.phoneNumber}: voice webhook already ${was}`;
  return `${after.phoneNumber}: voice webhook was ${was}, now ${after.voiceUrl} (${after.voiceMethod})`;
}
