import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Logger } from '../log.js';
import { serializeClientEvent, type RealtimeClientEvent } from './client-events.js';
import { parseServerEvent, type RealtimeServerEvent } from './server-events.js';

export interface RealtimeClosed {
  code: number;
  reason: string;
  /** True when we closed it; anything else is unexpected and worth a reconnect. */
  byUs: boolean;
}

export type RealtimeConnectionEvents = {
  open: [];
  event: [RealtimeServerEvent];
  rejected: [reason: string];
  /** An event not sent because the service stopped reading (send buffer over its bound). */
  dropped: [{ type: string; bufferedBytes: number }];
  closed: [RealtimeClosed];
};

/** One socket to the Realtime service. Implemented by the ws adapter below and by test fakes. */
export interface RealtimeConnection extends EventEmitter<RealtimeConnectionEvents> {
  /** Sends if open; returns false (and sends nothing) otherwise. */
  send(event: RealtimeClientEvent): boolean;
  /** Idempotent; also aborts a connection still being opened. */
  close(): void;
}

export type RealtimeConnector = () => RealtimeConnection;

export interface RealtimeEndpoint {
  /** ws:// or wss:// endpoint; `?model=` is appended. */
  url: string;
  model: string;
  apiKey: string;
  /** Gives up on the opening handshake after this long; default 10 s. */
  handshakeTimeoutMs?: number;
  /** Pings the service this often once open; default 5 s. */
  pingIntervalMs?: number;
  /** A socket that answers nothing (no pong, no event) this long after a ping is dead; default 5 s. */
  pongTimeoutMs?: number;
  /** More than this many bytes waiting to be sent: the service is not reading, so events are dropped; default 4 MiB. */
  maxBufferedBytes?: number;
}

const DEFAULT_PING_INTERVAL_MS = 5000;
const DEFAULT_PONG_TIMEOUT_MS = 5000;
const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export function realtimeUrl(endpoint: Pick<RealtimeEndpoint, 'url' | 'model'>): string {
  const url = new URL(endpoint.url);
  url.searchParams.set('model', endpoint.model);
  return url.toString();
}

type SocketState =
  | { status: 'connecting'; socket: WebSocket }
  | { status: 'open'; socket: WebSocket }
  | { status: 'closed'; closed: RealtimeClosed };

/**
 * The adapter that opens the socket itself with `ws`: openai-node's OpenAIRealtimeWS insists on
 * wss://, and both the simulator (ws://) and the real service (wss://) must work from one setting.
 */
export class WsRealtimeConnection extends EventEmitter<RealtimeConnectionEvents> implements RealtimeConnection {
  #state: SocketState;
  readonly #logger: Logger;
  readonly #endpoint: RealtimeEndpoint;
  #keepalive: NodeJS.Timeout | undefined;
  /** When the unanswered ping left; undefined while the service is answering. */
  #pingSentAtMs: number | undefined;
  #lastPingAtMs = 0;
  #droppedEvents = 0;

  constructor(endpoint: RealtimeEndpoint, logger: Logger) {
    super();
    this.#logger = logger;
    this.#endpoint = endpoint;
    const socket = new WebSocket(realtimeUrl(endpoint), {
      headers: { Authorization: `Bearer ${endpoint.apiKey}` },
      handshakeTimeout: endpoint.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    this.#state = { status: 'connecting', socket };
    socket.on('open', () => {
      if (this.#state.status !== 'connecting') return;
      this.#state = { status: 'open', socket };
      this.#startKeepalive(socket);
      this.emit('open');
    });
    socket.on('message', (data, isBinary) => {
      this.#pingSentAtMs = undefined;
      this.#onFrame(data, isBinary);
    });
    socket.on('pong', () => (this.#pingSentAtMs = undefined));
    socket.on('unexpected-response', (_request, response) => {
      this.#logger.warn({ statusCode: response.statusCode }, 'realtime handshake refused');
      this.#finish({ code: 1006, reason: `HTTP ${response.statusCode}`, byUs: false });
      socket.terminate();
    });
    socket.on('error', (error) => {
      this.#logger.warn({ err: error }, 'realtime socket error');
    });
    socket.on('close', (code, reason) => this.#finish({ code, reason: reason.toString(), byUs: false }));
  }

  send(event: RealtimeClientEvent): boolean {
    if (this.#state.status !== 'open') return false;
    const { socket } = this.#state;
    const bufferedBytes = socket.bufferedAmount;
    if (bufferedBytes > (this.#endpoint.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES)) {
      // One line when dropping starts and one when it stops, not one per 20 ms frame.
      if (this.#droppedEvents++ === 0) this.#logger.warn({ bufferedBytes }, 'realtime service is not reading: dropping events');
      this.emit('dropped', { type: event.type, bufferedBytes });
      return false;
    }
    if (this.#droppedEvents > 0) {
      this.#logger.warn({ droppedEvents: this.#droppedEvents }, 'realtime service reading again');
      this.#droppedEvents = 0;
    }
    socket.send(serializeClientEvent(event));
    return true;
  }

  /*
   * A connection that goes quiet without closing (half-open TCP after a network fault) would leave the
   * call silent for good: ping it, and call it lost when neither a pong nor an event comes back in time,
   * so the link's reconnect path replaces it with the call's context.
   */
  #startKeepalive(socket: WebSocket): void {
    const intervalMs = this.#endpoint.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    const timeoutMs = this.#endpoint.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS;
    const check = () => {
      const now = performance.now();
      if (this.#pingSentAtMs !== undefined && now - this.#pingSentAtMs >= timeoutMs) {
        this.#logger.warn({ silentMs: Math.round(now - this.#pingSentAtMs) }, 'realtime socket answers nothing: dropping it');
        this.#finish({ code: 1006, reason: 'no answer to ping', byUs: false });
        socket.terminate();
        return;
      }
      if (this.#pingSentAtMs === undefined && now - this.#lastPingAtMs >= intervalMs) {
        this.#pingSentAtMs = now;
        this.#lastPingAtMs = now;
        socket.ping();
      }
    };
    this.#lastPingAtMs = performance.now();
    this.#keepalive = setInterval(check, Math.max(50, Math.min(intervalMs, timeoutMs) / 4));
    this.#keepalive.unref();
  }

  close(): void {
    if (this.#state.status === 'closed') return;
    const { socket } = this.#state;
    this.#finish({ code: 1000, reason: 'closed by client', byUs: true });
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else socket.close(1000);
  }

  #onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.#state.status !== 'open') return;
    if (isBinary) {
      this.#reject('binary frame');
      return;
    }
    const parsed = parseServerEvent(data.toString());
    if (parsed.kind === 'unknown') {
      this.#logger.trace({ type: parsed.type }, 'ignoring realtime event');
      return;
    }
    if (parsed.kind === 'malformed') {
      this.#reject(parsed.reason);
      return;
    }
    this.emit('event', parsed.message);
  }

  #reject(reason: string): void {
    this.#logger.warn({ reason }, 'rejected realtime frame');
    this.emit('rejected', reason);
  }

  #finish(closed: RealtimeClosed): void {
    if (this.#state.status === 'closed') return;
    clearInterval(this.#keepalive);
    this.#state = { status: 'closed', closed };
    this.emit('closed', closed);
  }
}
