import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { decodeMulaw } from '../audio/g711.js';
import { TELEPHONY_FRAME_MS } from '../audio/timing.js';
import { CallerPlayback, type BotTurn } from './caller/playback.js';
import { StreamMessages, parseServerMessage } from './caller/stream-messages.js';
import { CallerUplink, type CallerFrame } from './caller/uplink.js';
import { Waiters } from './caller/waiters.js';
import { TwilioWebhooks, WebhookRefused, type Continuation } from './caller/webhooks.js';
import { readVoiceAnswer } from './twiml-reader.js';
import { writePcmWav } from './wav.js';

export type { BotTurn } from './caller/playback.js';
export { WebhookRefused } from './caller/webhooks.js';

export interface SimulatedCallerOptions {
  /** Where the server listens, e.g. http://127.0.0.1:8080. */
  serverUrl: string;
  /** The base URL as Twilio sees it (PUBLIC_URL); the webhook is signed against it. Default: serverUrl. */
  publicUrl?: string;
  /**
   * Where the media stream connects, when not to serverUrl: behind a load balancer without sticky
   * sessions the stream may reach another instance than the webhook did.
   */
  streamServerUrl?: string;
  authToken: string;
  accountSid?: string;
  callSid?: string;
  /** The public URL of the voice webhook (an outbound call's `Url`); default `<publicUrl>/twilio/voice`. */
  voiceUrl?: string;
  /** Webhook fields over the inbound defaults, e.g. an outbound call's `Direction` and `AnsweredBy`. */
  webhookParams?: Record<string, string>;
  from?: string;
  to?: string;
  now?: () => number;
  /** For negative tests: sign with the wrong token or not at all. */
  signing?: 'valid' | 'wrong-token' | 'none';
}

export type SimulatedCallerEvents = {
  media: [bytes: number];
  mark: [name: string];
  clear: [];
  closed: [code: number];
};

/**
 * A phone call as Twilio would place it: signs and posts the voice webhook, follows the TwiML to the
 * media stream, sends the caller's audio as real-time 20 ms frames, and plays our audio back exactly
 * as docs/protocols.md 1.3 says (in order, in real time, marks echoed after their audio, `clear` flushing
 * the buffer and echoing every pending mark). Records both directions for a WAV.
 */
export class SimulatedCaller extends EventEmitter<SimulatedCallerEvents> {
  readonly callSid: string;
  readonly streamSid = `MZ${randomBytes(16).toString('hex')}`;
  /** Stream start, on the caller's clock. */
  startedAtMs = 0;
  /** Every caller frame sent: when and the caller audio position (ms) it ends at. */
  readonly sent: { atMs: number; endMs: number }[] = [];
  /** What Twilio did after the stream, once it has. */
  continuation: Continuation | undefined;

  readonly #now: () => number;
  readonly #accountSid: string;
  readonly #voiceUrl: string;
  readonly #webhooks: TwilioWebhooks;
  readonly #messages: StreamMessages;
  readonly #uplink: CallerUplink;
  readonly #playback: CallerPlayback;
  #socket: WebSocket | undefined;
  #closed = false;
  readonly #waiters: Waiters;
  #continueUrl: string | undefined;
  #hungUp = false;

  constructor(options: SimulatedCallerOptions) {
    super();
    this.#now = options.now ?? (() => performance.now());
    this.callSid = options.callSid ?? `CA${randomBytes(16).toString('hex')}`;
    this.#accountSid = options.accountSid ?? 'AC00000000000000000000000000000000';
    this.#voiceUrl = options.voiceUrl ?? `${options.publicUrl ?? options.serverUrl}/twilio/voice`;
    this.#webhooks = new TwilioWebhooks({ ...options, accountSid: this.#accountSid, callSid: this.callSid });
    this.#messages = new StreamMessages(this.streamSid);
    this.#waiters = new Waiters(this);
    this.#uplink = new CallerUplink(this.#now, (frame) => this.#onFrame(frame));
    this.#playback = new CallerPlayback(this.#now, (name) => {
      this.#send(this.#messages.mark(name));
      this.emit('mark', name);
    });
  }

  /** Places the call: webhook, TwiML, media stream, `connected` + `start`. Real-time frames start flowing. */
  async dial(): Promise<this> {
    const answer = readVoiceAnswer(await this.#webhooks.post(this.#voiceUrl, this.#webhooks.params()));
    if (answer === 'hangup') {
      // Told to hang up before any stream (a machine answered an outbound call, say).
      this.#stop();
      this.continuation = { hangup: true };
      return this;
    }
    const { streamUrl, parameters, continueUrl } = answer;
    this.#continueUrl = continueUrl;
    await this.#openStream(streamUrl, parameters);
    return this;
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  /** True when the caller ended the call; false while it goes on or if the server closed the stream. */
  get hungUp(): boolean {
    return this.#hungUp;
  }

  get firstBotAudioAtMs(): number | undefined {
    return this.#playback.firstBotAudioAtMs;
  }

  get botTurns(): readonly BotTurn[] {
    return this.#playback.botTurns;
  }

  get marksEchoed(): readonly string[] {
    return this.#playback.marksEchoed;
  }

  /** When each `clear` arrived. */
  get clears(): readonly number[] {
    return this.#playback.clears;
  }

  /** Every media message received: when and how many bytes. */
  get received(): readonly { atMs: number; bytes: number }[] {
    return this.#playback.received;
  }

  /** Speaks a mu-law clip; resolves once its last frame has been sent (at once on a closed line). */
  say(mulaw: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#uplink.say(mulaw);
  }

  /** Silence on the line for `ms` (frames keep flowing, as on a real call). */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /**
   * Resolves once the bot has spoken `turns` turns in all and then been silent (nothing left to play)
   * for `quietMs`. Default: the turn after the current one, i.e. the bot's reply to what was just said.
   */
  waitForBotReply(turns = this.botTurns.length + 1, quietMs = 700, timeoutMs = 30_000): Promise<void> {
    // A stream the server closed has nothing more to say.
    return this.#waiters.until(
      () =>
        this.#closed ||
        (this.botTurns.length >= turns && this.#playback.bufferedBytes === 0 && this.#now() - this.#playback.quietSinceMs >= quietMs),
      timeoutMs,
      `bot turn ${turns} and silence`,
    );
  }

  /** Resolves once the bot's turn number `turn` (0-based) has played at least `ms`, or the server closed the stream. */
  waitForBotPlayed(turn: number, ms: number, timeoutMs = 30_000): Promise<void> {
    return this.#waiters.until(
      () => this.#closed || (this.botTurns[turn]?.playedMs ?? 0) >= ms,
      timeoutMs,
      `bot turn ${turn} to play ${ms} ms`,
    );
  }

  sendDtmf(digit: string): void {
    this.#send(this.#messages.dtmf(digit));
  }

  /** Presses each key in turn, `gapMs` apart (audio frames keep flowing meanwhile); resolves after the last. */
  async pressKeys(digits: string, gapMs = 250): Promise<void> {
    for (const [index, digit] of [...digits].entries()) {
      if (index > 0) await this.pause(gapMs);
      this.sendDtmf(digit);
    }
  }

  /** Twilio stops sending frames while the socket stays open (a stalled media path). */
  goSilent(): void {
    this.#uplink.halt();
  }

  /** The phone's side stops reading what the server sends (a slow or stuck consumer); frames still go out. */
  stopReading(): void {
    this.#socket?.pause();
  }

  /** Sends a raw text frame, for tests of malformed input. */
  sendRaw(text: string): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(text);
  }

  /** The caller hangs up: Twilio sends `stop` and closes the socket. */
  async hangUp(): Promise<void> {
    if (this.#closed) return;
    this.#hungUp = true;
    this.#send(this.#messages.stop(this.#accountSid, this.callSid));
    const socket = this.#socket;
    this.#stop();
    if (socket && socket.readyState === WebSocket.OPEN) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close(1000);
      });
    }
  }

  /** Resolves when the server ends the stream. */
  waitForClose(timeoutMs = 30_000): Promise<void> {
    return this.#waiters.until(() => this.#closed, timeoutMs, 'stream close');
  }

  /** Resolves once Twilio has fetched and followed the TwiML after `<Connect>`. */
  waitForContinuation(timeoutMs = 30_000): Promise<void> {
    return this.#waiters.until(() => this.continuation !== undefined, timeoutMs, 'the TwiML after the stream');
  }

  /** Stereo WAV, 8 kHz: left what the caller said, right what the caller heard. */
  writeRecording(path: string): void {
    const caller = decodeMulaw(concat(this.#uplink.recording));
    const bot = decodeMulaw(concat(this.#playback.recording));
    writePcmWav(path, 8000, [caller, bot]);
  }

  async #openStream(streamUrl: string, parameters: Record<string, string>): Promise<void> {
    const { url, headers } = this.#webhooks.streamConnection(streamUrl);
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_req, res) => reject(new WebhookRefused(res.statusCode ?? 0)));
      socket.once('error', reject);
    });
    this.#socket = socket;
    socket.on('message', (data) => this.#onMessage(data.toString()));
    socket.on('close', (code) => {
      this.#stop();
      this.emit('closed', code);
      if (!this.#hungUp) void this.#continueAfterStream();
    });
    this.#send(this.#messages.connected());
    this.#send(this.#messages.start(this.#accountSid, this.callSid, parameters));
    this.startedAtMs = this.#now();
    this.#playback.quietSinceMs = this.startedAtMs;
    this.#uplink.start(this.startedAtMs);
  }

  async #continueAfterStream(): Promise<void> {
    if (!this.#continueUrl) {
      this.continuation = { hangup: true };
      return;
    }
    this.continuation = await this.#webhooks.continueAfterStream(this.#continueUrl);
    this.#waiters.wake();
  }

  #onMessage(raw: string): void {
    const message = parseServerMessage(raw);
    const nowMs = this.#now();
    if (message?.event === 'media') {
      this.#playback.media(message.payload, nowMs);
      this.emit('media', message.payload.length);
    } else if (message?.event === 'mark') {
      this.#playback.mark(message.name);
    } else if (message?.event === 'clear') {
      this.#playback.clear(nowMs);
      this.emit('clear');
    }
  }

  #onFrame(frame: CallerFrame): void {
    this.#send(this.#messages.media(frame.chunk, frame.timestampMs, frame.bytes));
    this.sent.push({ atMs: this.#now(), endMs: frame.timestampMs + TELEPHONY_FRAME_MS });
    this.#playback.playFrame();
    this.#waiters.wake();
  }

  #send(message: Record<string, unknown>): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #stop(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#uplink.close();
    this.#waiters.wake();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
