import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import WebSocket from 'ws';
import { readConnect } from '../../../src/sim/twiml-reader.js';

export const FRAME_MS = 20;
const MULAW_BYTES_PER_MS = 8;

/** Where a phone leg connects: straight to a stream URL, or through callbridge's signed voice webhook first. */
export type PhoneTarget =
  | { kind: 'stream'; url: string }
  | { kind: 'webhook'; serverUrl: string; publicUrl: string; authToken: string; accountSid: string };

/**
 * Twilio's end of one call in the load benchmark: sends the caller's speech as 20 ms media frames,
 * takes the bot's audio, and echoes every mark as Twilio does once the audio before it has played
 * (at once here: the bot's audio arrives paced in real time, so nothing queues at the phone).
 */
export class PhoneLeg {
  readonly callSid = `CA${randomBytes(16).toString('hex')}`;
  readonly streamSid = `MZ${randomBytes(16).toString('hex')}`;
  /** When each frame left, on the benchmark's clock; the model side pairs what it receives with them. */
  readonly frameSentAtMs: Float64Array;
  framesSent = 0;
  audioOutMs = 0;
  mediaIn = 0;
  /** Set once the model side of this call is known: when its delta k left. */
  deltaSentAtMs: Float64Array | undefined;
  readonly outLatencyMs: number[] = [];
  #socket: WebSocket | undefined;
  #sequence = 1;
  readonly #payloadBase64: string;

  constructor(payloadBase64: string, maxFrames: number) {
    this.#payloadBase64 = payloadBase64;
    this.frameSentAtMs = new Float64Array(maxFrames);
  }

  async connect(target: PhoneTarget): Promise<void> {
    const { url, headers, parameters } = target.kind === 'stream' ? { url: target.url, headers: {}, parameters: {} } : await this.#answer(target);
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    this.#socket = socket;
    socket.on('message', (data) => this.#onMessage(data.toString()));
    socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    socket.send(JSON.stringify({
      event: 'start',
      sequenceNumber: String(this.#sequence++),
      streamSid: this.streamSid,
      start: {
        accountSid: target.kind === 'webhook' ? target.accountSid : 'AC0',
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: parameters,
      },
    }));
  }

  sendFrame(): void {
    const chunk = this.framesSent + 1;
    this.frameSentAtMs[this.framesSent++] = performance.now();
    this.#socket?.send(
      `{"event":"media","sequenceNumber":"${this.#sequence++}","streamSid":"${this.streamSid}","media":{"track":"inbound","chunk":"${chunk}","timestamp":"${(chunk - 1) * FRAME_MS}","payload":"${this.#payloadBase64}"}}`,
    );
  }

  hangUp(): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify({ event: 'stop', sequenceNumber: String(this.#sequence++), streamSid: this.streamSid, stop: { accountSid: 'AC0', callSid: this.callSid } }));
    socket.close();
  }

  terminate(): void {
    this.#socket?.terminate();
  }

  #onMessage(text: string): void {
    // The bot's audio is nearly all the traffic: counted from the text, so the benchmark's own parsing stays cheap.
    if (text.startsWith('{"event":"media"')) {
      this.audioOutMs += base64FieldBytes(text, '"payload":"') / MULAW_BYTES_PER_MS;
      const sentAtMs = this.deltaSentAtMs?.[this.mediaIn];
      if (sentAtMs !== undefined && sentAtMs > 0) this.outLatencyMs.push(performance.now() - sentAtMs);
      this.mediaIn++;
      return;
    }
    const message = JSON.parse(text) as { event: string; mark?: { name: string } };
    if (message.event === 'mark' && message.mark) {
      this.#socket?.send(JSON.stringify({ event: 'mark', sequenceNumber: String(this.#sequence++), streamSid: this.streamSid, mark: { name: message.mark.name } }));
    }
  }

  /** Twilio's part before the stream: the signed voice webhook, whose TwiML names the stream to open. */
  async #answer(target: Extract<PhoneTarget, { kind: 'webhook' }>): Promise<{ url: string; headers: Record<string, string>; parameters: Record<string, string> }> {
    const params = { CallSid: this.callSid, AccountSid: target.accountSid, From: '+14155550100', To: '+15005550006', Direction: 'inbound', CallStatus: 'ringing' };
    const webhookUrl = `${target.publicUrl}/twilio/voice`;
    const response = await fetch(`${target.serverUrl}/twilio/voice`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(target.authToken, webhookUrl, params) },
      body: new URLSearchParams(params).toString(),
    });
    if (!response.ok) throw new Error(`voice webhook answered ${response.status}`);
    const { streamUrl, parameters } = readConnect(await response.text());
    const publicBase = target.publicUrl.replace(/^http/, 'ws');
    const url = target.serverUrl.replace(/^http/, 'ws') + streamUrl.slice(publicBase.length);
    return { url, headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(target.authToken, streamUrl, {}) }, parameters };
  }
}

/** Decoded length of the base64 string field that follows `key` in a message's text, without parsing it. */
export function base64FieldBytes(text: string, key: string): number {
  const start = text.indexOf(key) + key.length;
  const end = text.indexOf('"', start);
  const padding = text[end - 1] === '=' ? (text[end - 2] === '=' ? 2 : 1) : 0;
  return ((end - start) / 4) * 3 - padding;
}
