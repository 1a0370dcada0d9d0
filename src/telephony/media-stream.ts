import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from '../log.js';
import { outboundClear, outboundMark, outboundMedia, parseTwilioFrame, serializeOutbound, type TwilioOutbound } from './messages.js';

export interface StreamStart {
  streamSid: string;
  callSid: string;
  accountSid: string;
  tracks: string[];
  encoding: string;
  sampleRate: number;
  customParameters: Record<string, string>;
}

export interface StreamClosed {
  code: number;
  reason: string;
}

export type RejectionKind = 'malformed' | 'unexpected';

/**
 * Where a stream's per-frame messages go. Media and mark echoes are nearly all of its traffic (70 a
 * second in a call with the bot speaking), so each is one direct call to the one consumer rather than an
 * EventEmitter dispatch, whose lookup by event name was most of what delivering a frame cost.
 */
export interface MediaStreamSink {
  /**
   * Caller audio: the mu-law payload as Twilio sent it (validated base64, left encoded so a G.711 model
   * link forwards it untouched) and Twilio's ms-since-stream-start timestamp of the chunk.
   */
  media(mulawBase64: string, timestampMs: number): void;
  /** Twilio played everything sent before the mark of this name. */
  mark(name: string): void;
}

/** The stream's rarer events; media and marks go to its sink. */
export type MediaStreamEvents = {
  start: [StreamStart];
  dtmf: [digit: string];
  stop: [];
  /** Twilio sends a frame every 20 ms while a call is up: none for this long means the stream is dead. */
  silent: [silentMs: number];
  /** A message not sent because the phone's side stopped reading (send buffer over its bound). */
  dropped: [{ event: string; bufferedBytes: number }];
  closed: [StreamClosed];
  rejected: [kind: RejectionKind, reason: string];
};

export interface MediaStreamOptions {
  /** No inbound frame for this long ends the stream as silent; default 10 s. */
  silenceTimeoutMs?: number;
  /** WebSocket pings this often, so idle proxies and NATs keep the connection; default 10 s. */
  pingIntervalMs?: number;
  /** More than this many bytes waiting to be sent to Twilio: outbound messages are dropped; default 512 KiB. */
  maxBufferedBytes?: number;
}

/** The connection under the WebSocket, for writing several messages as one. */
export type Corkable = Pick<Duplex, 'cork' | 'uncork'>;

const DEFAULT_SILENCE_TIMEOUT_MS = 10_000;
const DEFAULT_PING_INTERVAL_MS = 10_000;
const DEFAULT_MAX_BUFFERED_BYTES = 512 * 1024;

type StreamState =
  | { status: 'awaiting-start'; socket: WebSocket }
  | { status: 'streaming'; socket: WebSocket; streamSid: string }
  | { status: 'closed'; closed: StreamClosed };

/**
 * One Twilio Media Stream: parses every inbound frame at the boundary and turns the socket into
 * typed events; sends only the documented outbound shapes. Owns its socket.
 */
export class TwilioMediaStream extends EventEmitter<MediaStreamEvents> {
  #state: StreamState;
  readonly #logger: Logger;
  readonly #maxBufferedBytes: number;
  readonly #watchdog: NodeJS.Timeout;
  #lastFrameAtMs = performance.now();
  #droppedMessages = 0;
  readonly #transport: Corkable | undefined;
  /** Until a consumer takes the stream, its media and marks have nowhere to go and are dropped. */
  #sink: MediaStreamSink | undefined;

  constructor(socket: WebSocket, logger: Logger, options: MediaStreamOptions = {}, transport?: Corkable) {
    super();
    this.#transport = transport;
    this.#state = { status: 'awaiting-start', socket };
    this.#logger = logger;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    const silenceTimeoutMs = options.silenceTimeoutMs ?? DEFAULT_SILENCE_TIMEOUT_MS;
    const pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    let lastPingAtMs = performance.now();
    // One timer per stream for both jobs: a silent stream is ended, an idle link is pinged.
    this.#watchdog = setInterval(() => {
      const now = performance.now();
      if (this.#state.status === 'streaming' && now - this.#lastFrameAtMs >= silenceTimeoutMs) {
        this.#logger.warn({ silentMs: Math.round(now - this.#lastFrameAtMs) }, 'media stream went silent: closing it');
        this.emit('silent', now - this.#lastFrameAtMs);
        this.close(1001, 'media stream silent');
        return;
      }
      if (now - lastPingAtMs >= pingIntervalMs && socket.readyState === socket.OPEN) {
        lastPingAtMs = now;
        socket.ping();
      }
    }, Math.max(50, Math.min(silenceTimeoutMs, pingIntervalMs) / 4));
    this.#watchdog.unref();
    socket.on('message', (data, isBinary) => {
      this.#lastFrameAtMs = performance.now();
      this.#onFrame(data, isBinary);
    });
    socket.on('close', (code, reason) => this.#onClose(code, reason.toString()));
    socket.on('error', (error: Error & { code?: string }) => {
      // ws refuses a frame over maxPayload with close 1009 and stops reading: count it as the
      // malformed input it is, not as a network failure.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.#reject('malformed', 'frame too large');
      else this.#logger.warn({ err: error }, 'media stream socket error');
    });
  }

  get streamSid(): string | undefined {
    return this.#state.status === 'streaming' ? this.#state.streamSid : undefined;
  }

  get isOpen(): boolean {
    return this.#state.status !== 'closed';
  }

  /** Media and marks from now on go to `sink`. */
  deliverTo(sink: MediaStreamSink): void {
    this.#sink = sink;
  }

  /** Returns false when it could not be sent (stream not streaming, or the phone's side not reading). */
  sendMedia(mulawBase64: string): boolean {
    return this.#sendTo((sid) => outboundMedia(sid, mulawBase64), true);
  }

  sendMark(name: string): void {
    this.#sendTo((sid) => outboundMark(sid, name));
  }

  /**
   * Whatever `send` sends leaves in one write to the network: a delta's media and its mark are then
   * one packet and one system call, not two, which is a tenth of the writes of a call.
   */
  together(send: () => void): void {
    const transport = this.#transport;
    if (!transport) return send();
    transport.cork();
    try {
      send();
    } finally {
      transport.uncork();
    }
  }

  clear(): void {
    // A clear is what frees a full buffer at Twilio's end: never dropped for the bound.
    this.#sendTo((sid) => outboundClear(sid));
  }

  /** Ends the stream from our side; Twilio then continues with the TwiML after `<Connect>`. */
  close(code = 1000, reason = 'call ended'): void {
    if (this.#state.status === 'closed') return;
    const { socket } = this.#state;
    this.#onClose(code, reason);
    socket.close(code, reason);
  }

  #sendTo(build: (streamSid: string) => TwilioOutbound, bounded = false): boolean {
    if (this.#state.status !== 'streaming') return false;
    const { socket, streamSid } = this.#state;
    if (socket.readyState !== socket.OPEN) return false;
    const bufferedBytes = socket.bufferedAmount;
    if (bounded && bufferedBytes > this.#maxBufferedBytes) {
      // One line when dropping starts and one when it stops, not one per delta.
      if (this.#droppedMessages++ === 0) this.#logger.warn({ bufferedBytes }, 'phone side is not reading: dropping bot audio');
      this.emit('dropped', { event: 'media', bufferedBytes });
      return false;
    }
    if (bounded && this.#droppedMessages > 0) {
      this.#logger.warn({ droppedMessages: this.#droppedMessages }, 'phone side reading again');
      this.#droppedMessages = 0;
    }
    socket.send(serializeOutbound(build(streamSid)));
    return true;
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    if (this.#state.status === 'closed') return;
    if (isBinary) {
      this.#reject('malformed', 'binary frame');
      return;
    }
    const parsed = parseTwilioFrame(data.toString());
    if (parsed.kind === 'unknown') {
      this.#logger.debug({ event: parsed.type }, 'ignoring unknown media stream event');
      return;
    }
    if (parsed.kind === 'malformed') {
      this.#reject('malformed', parsed.reason);
      return;
    }
    const message = parsed.message;
    switch (message.event) {
      case 'connected':
        return;
      case 'start': {
        if (this.#state.status !== 'awaiting-start') {
          this.#reject('unexpected', 'second start');
          return;
        }
        const { start } = message;
        this.#state = { status: 'streaming', socket: this.#state.socket, streamSid: message.streamSid };
        this.emit('start', {
          streamSid: message.streamSid,
          callSid: start.callSid,
          accountSid: start.accountSid,
          tracks: start.tracks,
          encoding: start.mediaFormat.encoding,
          sampleRate: start.mediaFormat.sampleRate,
          customParameters: start.customParameters,
        });
        return;
      }
      case 'media':
        if (this.#state.status !== 'streaming') return this.#reject('unexpected', 'media before start');
        if (message.media.track !== undefined && message.media.track !== 'inbound') return;
        this.#sink?.media(message.media.payload, message.media.timestamp);
        return;
      case 'mark':
        this.#sink?.mark(message.mark.name);
        return;
      case 'dtmf':
        this.emit('dtmf', message.dtmf.digit);
        return;
      case 'stop':
        this.emit('stop');
        return;
    }
  }

  #reject(kind: RejectionKind, reason: string): void {
    this.#logger.warn({ kind, reason }, 'rejected media stream frame');
    this.emit('rejected', kind, reason);
  }

  #onClose(code: number, reason: string): void {
    if (this.#state.status === 'closed') return;
    clearInterval(this.#watchdog);
    const closed = { code, reason };
    this.#state = { status: 'closed', closed };
    this.emit('closed', closed);
  }
}
