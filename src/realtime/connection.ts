import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Logger } from '../log.js';
import type { RealtimeClientEvent } from './client-events.js';
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
}

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

  constructor(endpoint: RealtimeEndpoint, logger: Logger) {
    super();
    this.#logger = logger;
    const socket = new WebSocket(realtimeUrl(endpoint), {
      headers: { Authorization: `Bearer ${endpoint.apiKey}` },
      handshakeTimeout: endpoint.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    this.#state = { status: 'connecting', socket };
    socket.on('open', () => {
      if (this.#state.status !== 'connecting') return;
      this.#state = { status: 'open', socket };
      this.emit('open');
    });
    socket.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
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
    this.#state.socket.send(JSON.stringify(event));
    return true;
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
    this.#state = { status: 'closed', closed };
    this.emit('closed', closed);
  }
}
