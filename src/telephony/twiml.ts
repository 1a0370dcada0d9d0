// The SDK's TwiML builder alone: its root loads every REST resource (8 MB of heap) this path never uses.
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';

export interface ConnectStreamOptions {
  /** ws:// or wss:// URL of our media endpoint, with no query string (Twilio rejects one). */
  streamUrl: string;
  /** Delivered to us in `start.customParameters`; name + value must stay under 500 characters. */
  parameters: Record<string, string>;
  /** Where Twilio goes once we close the stream (hand-off, goodbye); omitted: the call ends. */
  continueUrl?: string;
}

const MAX_PARAMETER_LENGTH = 500;

/** The answer to the voice webhook: open a bidirectional Media Stream to us. */
export function connectStreamTwiml(options: ConnectStreamOptions): string {
  const response = new VoiceResponse();
  const stream = response.connect().stream({ url: options.streamUrl });
  for (const [name, value] of Object.entries(options.parameters)) {
    if (name.length + value.length >= MAX_PARAMETER_LENGTH) continue;
    stream.parameter({ name, value });
  }
  if (options.continueUrl) response.redirect({ method: 'POST' }, options.continueUrl);
  return response.toString();
}

/**
 * Transfers the caller to a human at `number`. With `whisperUrl`, Twilio fetches that TwiML when the
 * person answers and plays it to them alone before connecting the caller (a warm transfer).
 */
export function dialTwiml(number: string, options: { whisperUrl?: string } = {}): string {
  const response = new VoiceResponse();
  const dial = response.dial();
  if (options.whisperUrl) dial.number({ url: options.whisperUrl, method: 'POST' }, number);
  else dial.number(number);
  return response.toString();
}

/** What the person taking a transfer hears before the caller is connected. */
export function whisperTwiml(text: string): string {
  const response = new VoiceResponse();
  response.say(text);
  return response.toString();
}

export function hangupTwiml(): string {
  const response = new VoiceResponse();
  response.hangup();
  return response.toString();
}

/** Served while draining or when a call cannot be taken, so Twilio does not play its generic error. */
export function unavailableTwiml(message: string): string {
  const response = new VoiceResponse();
  response.say(message);
  response.hangup();
  return response.toString();
}
