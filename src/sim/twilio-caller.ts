import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import twilio from 'twilio';
import WebSocket from 'ws';
import { decodeMulaw } from '../audio/g711.js';
import { MULAW_FRAME_BYTES, MULAW_SILENCE_BYTE, TELEPHONY_FRAME_MS, mulawBytesToMs } from '../audio/timing.js';
import { readAfterStream, readSay, readVoiceAnswer } from './twiml-reader.js';
import { writePcmWav } from './wav.js';

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

/** One stretch of bot speech as the caller heard it. */
export interface BotTurn {
  firstAudioAtMs: number;
  receivedMs: number;
  playedMs: number;
  /** Set when Twilio's buffer was cleared during this turn: how much of it had played by then. */
  cleared?: { atMs: number; playedMs: number };
}

export type SimulatedCallerEvents = {
  media: [bytes: number];
  mark: [name: string];
  clear: [];
  closed: [code: number];
};

interface PendingMark {
  name: string;
  /** Played-bytes position at which Twilio would echo it. */
  position: number;
}

export class WebhookRefused extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`voice webhook answered HTTP ${status}`);
    this.status = status;
  }
}

/**
 * A phone call as Twilio would place it: signs and posts the voice webhook, follows the TwiML to the
 * media stream, sends the caller's audio as real-time 20 ms frames, and plays our audio back exactly
 * as protocols.md 1.3 says (in order, in real time, marks echoed after their audio, `clear` flushing
 * the buffer and echoing every pending mark). Records both directions for a WAV.
 */
export class SimulatedCaller extends EventEmitter<SimulatedCallerEvents> {
  readonly callSid: string;
  readonly streamSid = `MZ${randomBytes(16).toString('hex')}`;
  /** Stream start, on the caller's clock. */
  startedAtMs = 0;
  firstBotAudioAtMs: number | undefined;
  readonly botTurns: BotTurn[] = [];
  readonly marksEchoed: string[] = [];
  readonly clears: number[] = [];
  /** Every media message received: when and how many bytes. */
  readonly received: { atMs: number; bytes: number }[] = [];
  /** Every caller frame sent: when and the caller audio position (ms) it ends at. */
  readonly sent: { atMs: number; endMs: number }[] = [];
  /** What Twilio did after we closed the stream (the TwiML after `<Connect>`), once it has. */
  /** What Twilio did after the stream: dial a person (and what they heard first, a warm transfer's whisper) or hang up. */
  continuation: { dial?: string; whisper?: string; hangup: boolean } | undefined;

  readonly #options: SimulatedCallerOptions;
  readonly #now: () => number;
  #socket: WebSocket | undefined;
  #sequence = 0;
  #frames = 0;
  #tickTimer: NodeJS.Timeout | undefined;
  #speech: { bytes: Uint8Array; offset: number; done: () => void }[] = [];
  #playback: Uint8Array[] = [];
  #receivedBytes = 0;
  #playedBytes = 0;
  #pendingMarks: PendingMark[] = [];
  #callerTrack: Uint8Array[] = [];
  #botTrack: Uint8Array[] = [];
  #closed = false;
  #waiters = new Set<() => void>();
  #quietSinceMs = 0;
  #continueUrl: string | undefined;
  #hungUp = false;
  #silent = false;

  constructor(options: SimulatedCallerOptions) {
    super();
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.callSid = options.callSid ?? `CA${randomBytes(16).toString('hex')}`;
  }

  /** Places the call: webhook, TwiML, media stream, `connected` + `start`. Real-time frames start flowing. */
  async dial(): Promise<this> {
    const publicUrl = this.#options.publicUrl ?? this.#options.serverUrl;
    const answer = readVoiceAnswer(await this.#webhook(this.#options.voiceUrl ?? `${publicUrl}/twilio/voice`, this.#params()));
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

  /** Speaks a mu-law clip; resolves once its last frame has been sent (at once on a closed line). */
  say(mulaw: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#speech.push({ bytes: mulaw, offset: 0, done: resolve }));
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
    return this.#waitUntil(
      () =>
        this.#closed ||
        (this.botTurns.length >= turns && this.#bufferedBytes() === 0 && this.#now() - this.#quietSinceMs >= quietMs),
      timeoutMs,
      `bot turn ${turns} and silence`,
    );
  }

  /** Resolves once the bot's turn number `turn` (0-based) has played at least `ms`, or the server closed the stream. */
  waitForBotPlayed(turn: number, ms: number, timeoutMs = 30_000): Promise<void> {
    return this.#waitUntil(
      () => this.#closed || (this.botTurns[turn]?.playedMs ?? 0) >= ms,
      timeoutMs,
      `bot turn ${turn} to play ${ms} ms`,
    );
  }

  sendDtmf(digit: string): void {
    this.#send({ event: 'dtmf', sequenceNumber: String(++this.#sequence), streamSid: this.streamSid, dtmf: { track: 'inbound_track', digit } });
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
    clearTimeout(this.#tickTimer);
    this.#tickTimer = undefined;
    this.#silent = true;
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
    this.#send({
      event: 'stop',
      sequenceNumber: String(++this.#sequence),
      streamSid: this.streamSid,
      stop: { accountSid: this.#accountSid, callSid: this.callSid },
    });
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
    return this.#waitUntil(() => this.#closed, timeoutMs, 'stream close');
  }

  /** Stereo WAV, 8 kHz: left what the caller said, right what the caller heard. */
  writeRecording(path: string): void {
    const caller = decodeMulaw(concat(this.#callerTrack));
    const bot = decodeMulaw(concat(this.#botTrack));
    writePcmWav(path, 8000, [caller, bot]);
  }

  get #accountSid(): string {
    return this.#options.accountSid ?? 'AC00000000000000000000000000000000';
  }

  /** Resolves once Twilio has fetched and followed the TwiML after `<Connect>`. */
  waitForContinuation(timeoutMs = 30_000): Promise<void> {
    return this.#waitUntil(() => this.continuation !== undefined, timeoutMs, 'the TwiML after the stream');
  }

  #params(): Record<string, string> {
    return {
      AccountSid: this.#accountSid,
      ApiVersion: '2010-04-01',
      CallSid: this.callSid,
      CallStatus: 'ringing',
      Called: this.#options.to ?? '+15005550006',
      Caller: this.#options.from ?? '+14155550100',
      Direction: 'inbound',
      From: this.#options.from ?? '+14155550100',
      To: this.#options.to ?? '+15005550006',
      ...this.#options.webhookParams,
    };
  }

  /** POSTs a signed webhook to `path` of the server (signed against the public URL) and parses the TwiML. */
  async #webhook(publicPathUrl: string, params: Record<string, string>): Promise<string> {
    const publicUrl = this.#options.publicUrl ?? this.#options.serverUrl;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const signature = this.#sign(publicPathUrl, params);
    if (signature) headers['x-twilio-signature'] = signature;
    const response = await fetch(this.#options.serverUrl + publicPathUrl.slice(publicUrl.length), {
      method: 'POST',
      headers,
      body: new URLSearchParams(params).toString(),
    });
    if (!response.ok) throw new WebhookRefused(response.status);
    return response.text();
  }

  /** With `<Connect><Stream>`, the TwiML after `</Connect>` runs once the server closes the stream. */
  async #continueAfterStream(): Promise<void> {
    if (!this.#continueUrl) {
      this.continuation = { hangup: true };
      return;
    }
    const next = readAfterStream(await this.#webhook(this.#continueUrl, { ...this.#params(), CallStatus: 'in-progress' }));
    const whisper = next.whisperUrl === undefined ? undefined : await this.#fetchWhisper(next.whisperUrl);
    this.continuation = {
      ...(next.dial !== undefined ? { dial: next.dial } : {}),
      ...(whisper !== undefined ? { whisper } : {}),
      hangup: next.hangup,
    };
    for (const wake of this.#waiters) wake();
  }

  /** When the dialled person answers, Twilio fetches `<Number url>` for the child call and plays it to them. */
  async #fetchWhisper(url: string): Promise<string | undefined> {
    const childCall = { ...this.#params(), CallSid: `CA${randomBytes(16).toString('hex')}`, ParentCallSid: this.callSid, Direction: 'outbound-dial', CallStatus: 'in-progress' };
    return readSay(await this.#webhook(url, childCall));
  }

  #sign(url: string, params: Record<string, string>): string | undefined {
    const signing = this.#options.signing ?? 'valid';
    if (signing === 'none') return undefined;
    const token = signing === 'wrong-token' ? `${this.#options.authToken}-wrong` : this.#options.authToken;
    return twilio.getExpectedTwilioSignature(token, url, params);
  }

  async #openStream(streamUrl: string, parameters: Record<string, string>): Promise<void> {
    // The stream URL in the TwiML is the public one; connect to where the server really listens.
    const publicBase = (this.#options.publicUrl ?? this.#options.serverUrl).replace(/^http/, 'ws');
    const localBase = (this.#options.streamServerUrl ?? this.#options.serverUrl).replace(/^http/, 'ws');
    const connectUrl = streamUrl.startsWith(publicBase) ? localBase + streamUrl.slice(publicBase.length) : streamUrl;
    const headers: Record<string, string> = { 'user-agent': 'Twilio.TmeWs/1.0' };
    const signature = this.#sign(streamUrl, {});
    if (signature) headers['x-twilio-signature'] = signature;
    const socket = new WebSocket(connectUrl, { headers, perMessageDeflate: false });
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
    this.#send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.#send({
      event: 'start',
      sequenceNumber: String(++this.#sequence),
      streamSid: this.streamSid,
      start: {
        accountSid: this.#accountSid,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: parameters,
      },
    });
    this.startedAtMs = this.#now();
    this.#quietSinceMs = this.startedAtMs;
    this.#scheduleTick();
  }

  #onMessage(raw: string): void {
    const message = JSON.parse(raw) as { event: string; media?: { payload: string }; mark?: { name: string } };
    const nowMs = this.#now();
    if (message.event === 'media' && message.media) {
      const bytes = Buffer.from(message.media.payload, 'base64');
      this.received.push({ atMs: nowMs, bytes: bytes.length });
      this.firstBotAudioAtMs ??= nowMs;
      const lastTurn = this.botTurns[this.botTurns.length - 1];
      if (!lastTurn || (this.#bufferedBytes() === 0 && nowMs - this.#quietSinceMs > 100)) {
        this.botTurns.push({ firstAudioAtMs: nowMs, receivedMs: 0, playedMs: 0 });
      }
      this.botTurns[this.botTurns.length - 1]!.receivedMs += mulawBytesToMs(bytes.length);
      this.#playback.push(new Uint8Array(bytes));
      this.#receivedBytes += bytes.length;
      this.emit('media', bytes.length);
    } else if (message.event === 'mark' && message.mark) {
      this.#pendingMarks.push({ name: message.mark.name, position: this.#receivedBytes });
      this.#echoPlayedMarks();
    } else if (message.event === 'clear') {
      const turn = this.botTurns[this.botTurns.length - 1];
      if (turn && !turn.cleared) turn.cleared = { atMs: nowMs, playedMs: turn.playedMs };
      this.clears.push(nowMs);
      this.#playback = [];
      this.#receivedBytes = this.#playedBytes;
      const pending = this.#pendingMarks;
      this.#pendingMarks = [];
      for (const mark of pending) this.#echoMark(mark.name);
      this.#quietSinceMs = nowMs;
      this.emit('clear');
    }
  }

  #scheduleTick(): void {
    if (this.#closed || this.#silent) return;
    const dueMs = this.startedAtMs + (this.#frames + 1) * TELEPHONY_FRAME_MS;
    this.#tickTimer = setTimeout(() => {
      // Catch up after event-loop stalls, as Twilio's own jitter would deliver a burst.
      while (!this.#closed && this.#now() >= this.startedAtMs + (this.#frames + 1) * TELEPHONY_FRAME_MS) this.#tick();
      this.#scheduleTick();
    }, Math.max(0, dueMs - this.#now()));
  }

  #tick(): void {
    this.#frames++;
    const frame = new Uint8Array(MULAW_FRAME_BYTES).fill(MULAW_SILENCE_BYTE);
    const speech = this.#speech[0];
    if (speech) {
      const chunk = speech.bytes.subarray(speech.offset, speech.offset + MULAW_FRAME_BYTES);
      frame.set(chunk);
      speech.offset += chunk.length;
      if (speech.offset >= speech.bytes.length) {
        this.#speech.shift();
        setImmediate(speech.done);
      }
    }
    this.#callerTrack.push(frame);
    const timestampMs = (this.#frames - 1) * TELEPHONY_FRAME_MS;
    this.#send({
      event: 'media',
      sequenceNumber: String(++this.#sequence),
      streamSid: this.streamSid,
      media: { track: 'inbound', chunk: String(this.#frames), timestamp: String(timestampMs), payload: Buffer.from(frame).toString('base64') },
    });
    this.sent.push({ atMs: this.#now(), endMs: timestampMs + TELEPHONY_FRAME_MS });
    this.#play();
    for (const wake of this.#waiters) wake();
  }

  /** One frame of Twilio's real-time playback. */
  #play(): void {
    const out = new Uint8Array(MULAW_FRAME_BYTES).fill(MULAW_SILENCE_BYTE);
    let filled = 0;
    while (filled < MULAW_FRAME_BYTES && this.#playback.length > 0) {
      const head = this.#playback[0]!;
      const take = Math.min(head.length, MULAW_FRAME_BYTES - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.#playback.shift();
      else this.#playback[0] = head.subarray(take);
    }
    this.#botTrack.push(out);
    if (filled > 0) {
      this.#playedBytes += filled;
      const turn = this.botTurns[this.botTurns.length - 1];
      if (turn) turn.playedMs += mulawBytesToMs(filled);
      if (this.#bufferedBytes() === 0) this.#quietSinceMs = this.#now();
    }
    this.#echoPlayedMarks();
  }

  #echoPlayedMarks(): void {
    while (this.#pendingMarks.length > 0 && this.#pendingMarks[0]!.position <= this.#playedBytes) {
      this.#echoMark(this.#pendingMarks.shift()!.name);
    }
  }

  #echoMark(name: string): void {
    this.marksEchoed.push(name);
    this.#send({ event: 'mark', sequenceNumber: String(++this.#sequence), streamSid: this.streamSid, mark: { name } });
    this.emit('mark', name);
  }

  #bufferedBytes(): number {
    return this.#receivedBytes - this.#playedBytes;
  }

  #send(message: Record<string, unknown>): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const onClosed = () => check();
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        this.off('closed', onClosed);
      };
      this.#waiters.add(check);
      this.on('closed', onClosed);
    });
  }

  #stop(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#tickTimer);
    for (const speech of this.#speech) speech.done();
    this.#speech = [];
    for (const wake of this.#waiters) wake();
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
