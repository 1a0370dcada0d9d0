import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signPayload, SIGNATURE_HEADER } from '../tools/signing.js';

export interface ToolBackendRequest {
  tool: string;
  body: unknown;
  signature: string | undefined;
  /** performance.now() when the request arrived. */
  atMs: number;
}

export interface ExampleToolBackend {
  /** Origin, e.g. http://127.0.0.1:4010; tools live under /tools/<name>. */
  url: string;
  port: number;
  /** Every request to /tools/<name>, in arrival order, including refused ones. */
  requests: ToolBackendRequest[];
  close(): Promise<void>;
}

export interface ExampleToolBackendOptions {
  /** Default 0 (any free port). examples/tools.json expects 4010. */
  port?: number;
  /** When set, requests must carry a valid signature made with it (401 otherwise). */
  secret?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The one order that exists, so a demo can show both answers. */
const KNOWN_ORDER_ID = '4572';

/** The other side of examples/tools.json: a stand-in for a shop's order system, for demos and tests. */
export async function startExampleToolBackend(options: ExampleToolBackendOptions = {}): Promise<ExampleToolBackend> {
  const requests: ToolBackendRequest[] = [];
  // A client that hangs up mid-request gets no answer; nothing else can fail here.
  const server = createServer((request, response) => void handle(request, response).catch(() => response.destroy()));

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const tool = /^\/tools\/([^/?]+)/.exec(request.url ?? '')?.[1];
    if (request.method !== 'POST' || tool === undefined) return answer(response, 404, { error: 'not found' });
    const raw = await readBody(request);
    const signature = request.headers[SIGNATURE_HEADER];
    const header = typeof signature === 'string' ? signature : undefined;
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    requests.push({ tool, body, signature: header, atMs: performance.now() });
    if (options.secret !== undefined && !signatureValid(options.secret, raw, header)) return answer(response, 401, { error: 'bad signature' });
    if (tool !== 'lookup_order') return answer(response, 404, { error: `no tool ${tool}` });
    const orderId: unknown = (body as { arguments?: { orderId?: unknown } } | null)?.arguments?.orderId;
    if (typeof orderId !== 'string') return answer(response, 400, { error: 'arguments.orderId must be a string' });
    if (orderId !== KNOWN_ORDER_ID) return answer(response, 200, { orderId, status: 'not_found' });
    const expectedDelivery = new Date(Date.now() + 2 * DAY_MS).toISOString().slice(0, 10);
    answer(response, 200, { orderId, status: 'shipped', carrier: 'UPS', expectedDelivery });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close() {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve());
        // fetch keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function signatureValid(secret: string, body: string, header: string | undefined): boolean {
  const timestamp = /^t=(\d+),/.exec(header ?? '')?.[1];
  if (header === undefined || timestamp === undefined) return false;
  const expected = Buffer.from(signPayload(secret, body, Number(timestamp)));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
