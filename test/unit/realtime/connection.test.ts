import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '../../../src/log.js';
import { createResponse, appendAudio } from '../../../src/realtime/client-events.js';
import {
  WsRealtimeConnection,
  realtimeUrl,
  type RealtimeClosed,
  type RealtimeConnectionEvents,
} from '../../../src/realtime/connection.js';
import type { RealtimeServerEvent } from '../../../src/realtime/server-events.js';

const API_KEY = 'sk-test-0123456789';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface FakeService {
  url: string;
  wss: WebSocketServer;
  /** Resolves with the server side of the next connection and its upgrade request. */
  nextConnection: () => Promise<[WebSocket, IncomingMessage]>;
}

async function startFakeService(): Promise<FakeService> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await once(wss, 'listening');
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    wss,
    nextConnection: () => once(wss, 'connection') as Promise<[WebSocket, IncomingMessage]>,
  };
}

/** An HTTP server whose upgrade handler is up to the test (refuse, or hold the socket unanswered). */
async function startHttpServer(onUpgrade: (request: IncomingMessage, socket: Duplex) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', onUpgrade);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/v1/realtime`, server };
}

function connect(url: string, handshakeTimeoutMs?: number): WsRealtimeConnection {
  const connection = new WsRealtimeConnection(
    { url, model: 'gpt-realtime', apiKey: API_KEY, ...(handshakeTimeoutMs ? { handshakeTimeoutMs } : {}) },
    silentLogger(),
  );
  cleanups.push(() => connection.close());
  return connection;
}

type Recorded = { [K in keyof RealtimeConnectionEvents]: { event: K; args: RealtimeConnectionEvents[K] } }[keyof RealtimeConnectionEvents];

function record(connection: WsRealtimeConnection): Recorded[] {
  const events: Recorded[] = [];
  connection.on('open', (...args) => events.push({ event: 'open', args }));
  connection.on('event', (...args) => events.push({ event: 'event', args }));
  connection.on('rejected', (...args) => events.push({ event: 'rejected', args }));
  connection.on('closed', (...args) => events.push({ event: 'closed', args }));
  return events;
}

/** Lets already-queued I/O callbacks (a socket's own close event) run before counting events. */
const drainIo = () => new Promise<void>((resolve) => setImmediate(resolve));

async function openConnection(service: FakeService) {
  const serverSide = service.nextConnection();
  const connection = connect(service.url);
  const events = record(connection);
  const [[socket, request]] = await Promise.all([serverSide, once(connection, 'open')]);
  return { connection, events, socket, request };
}

describe('realtimeUrl', () => {
  it('appends the model as ?model=', () => {
    expect(realtimeUrl({ url: 'wss://api.openai.com/v1/realtime', model: 'gpt-realtime' })).toBe(
      'wss://api.openai.com/v1/realtime?model=gpt-realtime',
    );
    expect(realtimeUrl({ url: 'ws://127.0.0.1:9000/v1/realtime', model: 'gpt-realtime-mini' })).toBe(
      'ws://127.0.0.1:9000/v1/realtime?model=gpt-realtime-mini',
    );
  });

  it('keeps an existing query and replaces an existing model', () => {
    expect(realtimeUrl({ url: 'wss://proxy.example.com/realtime?tenant=a&model=old', model: 'gpt-realtime' })).toBe(
      'wss://proxy.example.com/realtime?tenant=a&model=gpt-realtime',
    );
  });

  it('encodes the model name', () => {
    const url = new URL(realtimeUrl({ url: 'wss://api.openai.com/v1/realtime', model: 'my model&x=1' }));
    expect(url.searchParams.get('model')).toBe('my model&x=1');
    expect(url.searchParams.get('x')).toBeNull();
  });
});

describe('WsRealtimeConnection handshake', () => {
  it('sends Authorization: Bearer <key>, no OpenAI-Beta header, and ?model= in the URL; then emits open', async () => {
    const service = await startFakeService();
    const { events, request } = await openConnection(service);
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.headers).not.toHaveProperty('openai-beta');
    expect(request.url).toBe('/v1/realtime?model=gpt-realtime');
    expect(events).toEqual([{ event: 'open', args: [] }]);
  });

  it('emits closed with reason "HTTP 401" when the handshake is refused, and never opens', async () => {
    const { url } = await startHttpServer((_request, socket) => {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    });
    const connection = connect(url);
    const events = record(connection);
    const [closed] = (await once(connection, 'closed')) as [RealtimeClosed];
    expect(closed).toEqual({ code: 1006, reason: 'HTTP 401', byUs: false });
    await drainIo();
    expect(events).toEqual([{ event: 'closed', args: [{ code: 1006, reason: 'HTTP 401', byUs: false }] }]);
    expect(connection.send(createResponse())).toBe(false);
  });

  it('close() while CONNECTING aborts the handshake and emits closed {byUs: true} once', async () => {
    const held: Duplex[] = [];
    let upgradeArrived: (socket: Duplex) => void = () => {};
    const upgrade = new Promise<Duplex>((resolve) => (upgradeArrived = resolve));
    const { url } = await startHttpServer((_request, socket) => {
      held.push(socket);
      upgradeArrived(socket);
    });
    cleanups.push(() => held.forEach((socket) => socket.destroy()));
    // A handshake timeout far beyond this test's own: only close() can end the handshake in time.
    const connection = connect(url, 600_000);
    const events = record(connection);
    // The request has reached the service, which never answers: the socket is still CONNECTING.
    const serverSocket = await upgrade;

    // The HTTP server's sockets are half-open capable: the client's abort shows up as 'end'.
    const serverSocketEnded = once(serverSocket, 'end');
    connection.close();
    connection.close();
    expect(events).toEqual([{ event: 'closed', args: [{ code: 1000, reason: 'closed by client', byUs: true }] }]);
    await serverSocketEnded;
    await drainIo();
    expect(events).toEqual([{ event: 'closed', args: [{ code: 1000, reason: 'closed by client', byUs: true }] }]);
    expect(connection.send(createResponse())).toBe(false);
  }, 10_000);

  it('emits closed {byUs: false} when the opening handshake times out', async () => {
    const held: Duplex[] = [];
    const { url } = await startHttpServer((_request, socket) => held.push(socket));
    cleanups.push(() => held.forEach((socket) => socket.destroy()));
    const connection = connect(url, 50);
    const events = record(connection);
    const [closed] = (await once(connection, 'closed')) as [RealtimeClosed];
    expect(closed).toMatchObject({ code: 1006, byUs: false });
    expect(events.map((e) => e.event)).toEqual(['closed']);
  });
});

describe('WsRealtimeConnection frames', () => {
  it('returns false from send() before open and sends nothing', async () => {
    const service = await startFakeService();
    const serverSide = service.nextConnection();
    const connection = connect(service.url);
    expect(connection.send(createResponse())).toBe(false);
    const [[socket]] = await Promise.all([serverSide, once(connection, 'open')]);
    const received = once(socket, 'message') as Promise<[Buffer, boolean]>;
    expect(connection.send(appendAudio('AAAA'))).toBe(true);
    const [data, isBinary] = await received;
    // The first frame the service sees is the one sent after open.
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe('{"type":"input_audio_buffer.append","audio":"AAAA"}');
  });

  it('sends each client event as one JSON text frame', async () => {
    const service = await startFakeService();
    const { connection, socket } = await openConnection(service);
    const frames: string[] = [];
    const two = new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer) => {
        frames.push(data.toString());
        if (frames.length === 2) resolve();
      });
    });
    expect(connection.send(createResponse('Greet the caller.'))).toBe(true);
    expect(connection.send({ type: 'response.cancel' })).toBe(true);
    await two;
    expect(frames.map((frame) => JSON.parse(frame) as unknown)).toEqual([
      { type: 'response.create', response: { instructions: 'Greet the caller.' } },
      { type: 'response.cancel' },
    ]);
  });

  it('emits valid events, rejects malformed and binary frames, and ignores unknown types', async () => {
    const service = await startFakeService();
    const { connection, events, socket } = await openConnection(service);
    const created = {
      type: 'session.created',
      event_id: 'event_1',
      session: { type: 'realtime', id: 'sess_1', model: 'gpt-realtime' },
    };
    const delta = {
      type: 'response.output_audio.delta',
      event_id: 'event_3',
      response_id: 'resp_1',
      item_id: 'item_1',
      output_index: 0,
      content_index: 0,
      delta: 'AAAA',
    };
    const done = { type: 'response.done', event_id: 'event_9', response: { id: 'resp_1', status: 'completed' } };
    const last = new Promise<void>((resolve) => {
      connection.on('event', (event: RealtimeServerEvent) => {
        if (event.type === 'response.done') resolve();
      });
    });
    socket.send(JSON.stringify(created));
    socket.send(JSON.stringify({ type: 'rate_limits.updated', event_id: 'event_2', rate_limits: [] }));
    socket.send(JSON.stringify({ type: 'rate_limits.updated', event_id: 'event_2b', rate_limits: [] }));
    socket.send(JSON.stringify(delta));
    socket.send(JSON.stringify({ ...delta, event_id: 'event_4', delta: '!!not base64!!' }));
    socket.send('{"type":');
    socket.send(Buffer.from(JSON.stringify(done)), { binary: true });
    socket.send(JSON.stringify(done));
    await last;
    expect(events).toEqual([
      { event: 'open', args: [] },
      { event: 'event', args: [created] },
      { event: 'event', args: [delta] },
      { event: 'rejected', args: [expect.stringContaining('response.output_audio.delta: delta')] },
      { event: 'rejected', args: ['not JSON'] },
      { event: 'rejected', args: ['binary frame'] },
      { event: 'event', args: [done] },
    ]);
  });
});

describe('WsRealtimeConnection closing', () => {
  it('close() while open closes the socket with 1000 and emits closed {byUs: true} once', async () => {
    const service = await startFakeService();
    const { connection, events, socket } = await openConnection(service);
    const serverClosed = once(socket, 'close') as Promise<[number, Buffer]>;
    connection.close();
    connection.close();
    const [code] = await serverClosed;
    expect(code).toBe(1000);
    await drainIo();
    expect(events.slice(1)).toEqual([{ event: 'closed', args: [{ code: 1000, reason: 'closed by client', byUs: true }] }]);
    expect(connection.send(createResponse())).toBe(false);
  });

  it('emits closed {byUs: false} with the code and reason when the service closes', async () => {
    const service = await startFakeService();
    const { connection, events, socket } = await openConnection(service);
    const closed = once(connection, 'closed') as Promise<[RealtimeClosed]>;
    socket.close(4000, 'beta_api_shape_disabled');
    const [info] = await closed;
    expect(info).toEqual({ code: 4000, reason: 'beta_api_shape_disabled', byUs: false });
    connection.close();
    expect(events.slice(1)).toEqual([{ event: 'closed', args: [info] }]);
    expect(connection.send(createResponse())).toBe(false);
  });

  it('emits closed {byUs: false, code: 1006} when the service drops the connection', async () => {
    const service = await startFakeService();
    const { connection, socket } = await openConnection(service);
    const closed = once(connection, 'closed') as Promise<[RealtimeClosed]>;
    socket.terminate();
    const [info] = await closed;
    expect(info).toEqual({ code: 1006, reason: '', byUs: false });
  });

  it('emits no events for frames that arrive after close()', async () => {
    const service = await startFakeService();
    const { connection, events, socket } = await openConnection(service);
    connection.close();
    socket.send(JSON.stringify({ type: 'response.done', event_id: 'e', response: { id: 'r', status: 'completed' } }));
    await once(socket, 'close');
    await drainIo();
    expect(events.map((e) => e.event)).toEqual(['open', 'closed']);
  });
});
