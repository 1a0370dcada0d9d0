import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from '../log.js';
import { TwilioMediaStream, type MediaStreamOptions } from './media-stream.js';
import { MEDIA_STREAM_PATH, isValidUpgradeSignature, mediaStreamUrl, publicBaseUrl } from './signature.js';

/** Twilio's frames are a few hundred bytes; anything near this limit is not Twilio. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

export interface MediaStreamServerOptions {
  authToken: string;
  publicUrl: string | undefined;
  logger: Logger;
  /** Largest inbound frame accepted, in bytes; default 64 KiB. */
  maxPayloadBytes?: number;
  /** Keepalive, silence and send-buffer bounds of each stream. */
  stream?: MediaStreamOptions;
  onStream: (stream: TwilioMediaStream) => void;
  onRefused?: (reason: 'bad-signature') => void;
}

/**
 * Accepts Media Stream WebSocket upgrades on the shared HTTP server (ws in noServer mode),
 * refusing any whose X-Twilio-Signature does not sign our stream URL.
 */
export class MediaStreamServer {
  readonly #wss: WebSocketServer;
  readonly #options: MediaStreamServerOptions;
  #detach: (() => void) | undefined;

  constructor(options: MediaStreamServerOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
    });
  }

  /** True when this server is responsible for the upgrade request's path. */
  handles(request: IncomingMessage): boolean {
    const path = (request.url ?? '').split('?')[0]?.replace(/\/$/, '');
    return path === MEDIA_STREAM_PATH;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const encrypted = 'encrypted' in socket && socket.encrypted === true;
    const streamUrl = mediaStreamUrl(publicBaseUrl(this.#options.publicUrl, request.headers, encrypted));
    const signature = request.headers['x-twilio-signature'];
    if (!isValidUpgradeSignature(this.#options.authToken, Array.isArray(signature) ? signature[0] : signature, streamUrl)) {
      this.#options.logger.warn({ streamUrl }, 'refused media stream upgrade: bad or missing signature');
      this.#options.onRefused?.('bad-signature');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#options.onStream(new TwilioMediaStream(ws, this.#options.logger, this.#options.stream, socket));
    });
  }

  /**
   * Takes every WebSocket upgrade of `server`: Media Streams on their path, a 404 on any other (the
   * service serves no other WebSocket). `close()` lets go of the server again.
   */
  attach(server: Server): void {
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.handles(request)) this.handleUpgrade(request, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    };
    server.on('upgrade', onUpgrade);
    this.#detach = () => server.off('upgrade', onUpgrade);
  }

  /** Drops every remaining stream; callers end their calls first when they can. */
  async close(): Promise<void> {
    this.#detach?.();
    this.#detach = undefined;
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
