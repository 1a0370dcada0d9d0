/* Twilio's side of the Media Streams protocol (docs/protocols.md 1.2): the messages it sends, numbered in one sequence, and the ones it reads. */

/** What the server sends Twilio, as the simulated caller acts on it. */
export type ServerMessage = { event: 'media'; payload: Buffer } | { event: 'mark'; name: string } | { event: 'clear' };

export function parseServerMessage(raw: string): ServerMessage | undefined {
  const message = JSON.parse(raw) as { event: string; media?: { payload: string }; mark?: { name: string } };
  if (message.event === 'media' && message.media) return { event: 'media', payload: Buffer.from(message.media.payload, 'base64') };
  if (message.event === 'mark' && message.mark) return { event: 'mark', name: message.mark.name };
  if (message.event === 'clear') return { event: 'clear' };
  return undefined;
}

/** Builds one stream's messages; every one after `connected` takes the next sequence number. */
export class StreamMessages {
  readonly #streamSid: string;
  #sequence = 0;

  constructor(streamSid: string) {
    this.#streamSid = streamSid;
  }

  connected(): Record<string, unknown> {
    return { event: 'connected', protocol: 'Call', version: '1.0.0' };
  }

  start(accountSid: string, callSid: string, customParameters: Record<string, string>): Record<string, unknown> {
    return {
      event: 'start',
      sequenceNumber: this.#next(),
      streamSid: this.#streamSid,
      start: {
        accountSid,
        streamSid: this.#streamSid,
        callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters,
      },
    };
  }

  /** One caller frame: `chunk` counts frames from 1, `timestampMs` is where the frame starts. */
  media(chunk: number, timestampMs: number, frame: Uint8Array): Record<string, unknown> {
    return {
      event: 'media',
      sequenceNumber: this.#next(),
      streamSid: this.#streamSid,
      media: { track: 'inbound', chunk: String(chunk), timestamp: String(timestampMs), payload: Buffer.from(frame).toString('base64') },
    };
  }

  mark(name: string): Record<string, unknown> {
    return { event: 'mark', sequenceNumber: this.#next(), streamSid: this.#streamSid, mark: { name } };
  }

  dtmf(digit: string): Record<string, unknown> {
    return { event: 'dtmf', sequenceNumber: this.#next(), streamSid: this.#streamSid, dtmf: { track: 'inbound_track', digit } };
  }

  stop(accountSid: string, callSid: string): Record<string, unknown> {
    return { event: 'stop', sequenceNumber: this.#next(), streamSid: this.#streamSid, stop: { accountSid, callSid } };
  }

  #next(): string {
    return String(++this.#sequence);
  }
}
