import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ScriptCursor, englishSupportCall, type Scenario } from '../scenarios.js';
import { SimSession } from './session.js';
import { DEFAULT_SIM_TIMING, type SimTiming } from './timing.js';

export interface RealtimeSimulatorOptions {
  /** The conversation each session plays, or a cursor factory (share a cursor to continue across reconnects). */
  scenario?: Scenario | (() => ScriptCursor);
  timing?: Partial<SimTiming>;
  /** Serve wss:// with this certificate instead of ws://. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  port?: number;
  now?: () => number;
}

/**
 * An offline stand-in for the OpenAI Realtime API at `/v1/realtime`, speaking its GA protocol.
 * Tests can inspect every session's conversation and received events, drop sockets and refuse
 * connections to exercise reconnects.
 */
export class RealtimeSimulator {
  readonly sessions: SimSession[] = [];
  readonly #options: RealtimeSimulatorOptions;
  readonly #timing: SimTiming;
  readonly #server: Server;
  // Pongs are the session's to send, so a session can fall silent like a half-open connection.
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, autoPong: false });
  readonly #sockets = new Set<WebSocket>();
  #refusals = 0;
  #url = '';

  constructor(options: RealtimeSimulatorOptions = {}) {
    this.#options = options;
    this.#timing = { ...DEFAULT_SIM_TIMING, ...options.timing };
    this.#server = options.tls ? createHttpsServer(options.tls) : createHttpServer();
    this.#server.on('request', (_req, res) => res.writeHead(404).end());
    this.#server.on('upgrade', (request, socket, head) => this.#onUpgrade(request, socket, head));
  }

  /** ws://127.0.0.1:PORT/v1/realtime (or wss://), ready for OPENAI_REALTIME_URL. */
  get url(): string {
    return this.#url;
  }

  get timing(): Readonly<SimTiming> {
    return this.#timing;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(this.#options.port ?? 0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `${this.#options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}/v1/realtime`;
    return this;
  }

  /** Refuses the next `count` connection attempts with HTTP 503. */
  refuseConnections(count: number): void {
    this.#refusals = count;
  }

  /** Every open session stops answering (no events, no pongs) without closing: a half-open connection. */
  silenceConnections(): void {
    for (const session of this.sessions) session.goSilent();
  }

  /** Cuts every open session's socket without a close handshake. */
  dropConnections(): void {
    for (const session of this.sessions) session.drop();
  }

  /** Changes pacing for sessions that start from now on and for responses not yet started. */
  setTiming(timing: Partial<SimTiming>): void {
    Object.assign(this.#timing, timing);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/v1/realtime') return refuse('404 Not Found');
    if (!/^Bearer \S+/.test(request.headers.authorization ?? '')) return refuse('401 Unauthorized');
    const model = url.searchParams.get('model');
    if (!model) return refuse('400 Bad Request');
    if (this.#refusals > 0) {
      this.#refusals--;
      return refuse('503 Service Unavailable');
    }
    const betaHeader = request.headers['openai-beta'];
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#sockets.add(ws);
      ws.on('close', () => this.#sockets.delete(ws));
      if (betaHeader) {
        ws.send(
          JSON.stringify({
            type: 'error',
            event_id: 'event_beta',
            error: {
              type: 'invalid_request_error',
              code: 'beta_api_shape_disabled',
              message: 'The beta Realtime API shape has been disabled. Remove the OpenAI-Beta header.',
              param: null,
              event_id: null,
            },
          }),
        );
        ws.close(4000, 'beta_api_shape_disabled');
        return;
      }
      this.sessions.push(new SimSession(ws, model, this.#cursor(), this.#timing, this.#options.now ?? (() => performance.now())));
    });
  }

  #cursor(): ScriptCursor {
    const scenario = this.#options.scenario ?? englishSupportCall;
    return typeof scenario === 'function' ? scenario() : new ScriptCursor(scenario);
  }
}
