import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../../src/log.js';
import { MediaStreamServer, type MediaStreamServerOptions } from '../../../src/telephony/media-stream-server.js';
import type { MediaStreamEvents, TwilioMediaStream } from '../../../src/telephony/media-stream.js';
import { ACCOUNT_SID, CALL_SID, STREAM_SID, startMessage } from '../../support/twilio-messages.js';

const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const startFrame = (customParameters?: Record<string, string>) => JSON.stringify(startMessage(customParameters));

const mediaFrame = (audio: Buffer, timestampMs: number, sequenceNumber = 2, track = 'inbound') =>
  JSON.stringify({
    event: 'media',
    sequenceNumber: String(sequenceNumber),
    streamSid: STREAM_SID,
    media: { track, chunk: String(sequenceNumber - 1), timestamp: String(timestampMs), payload: audio.toString('base64') },
  });

/** What a stream delivers to its sink, as events, so tests can wait for them. */
type SinkEvents = { media: [mulawBase64: string, timestampMs: number]; mark: [name: string] };
const sinks = new WeakMap<TwilioMediaStream, EventEmitter<SinkEvents>>();

function frames(stream: TwilioMediaStream): EventEmitter<SinkEvents> {
  let sink = sinks.get(stream);
  if (!sink) {
    const emitter = new EventEmitter<SinkEvents>();
    stream.deliverTo({ media: (...args) => emitter.emit('media', ...args), mark: (name) => emitter.emit('mark', name) });
    sinks.set(stream, emitter);
    sink = emitter;
  }
  return sink;
}

type Delivered = MediaStreamEvents & SinkEvents;
/** Every event a stream emits and every frame it delivers, in order, so tests can assert exactly what happened. */
type Recorded = { [K in keyof Delivered]: { event: K; args: Delivered[K] } }[keyof Delivered];

function record(stream: TwilioMediaStream): Recorded[] {
  const events: Recorded[] = [];
  stream.on('start', (...args) => events.push({ event: 'start', args }));
  frames(stream).on('media', (...args) => events.push({ event: 'media', args }));
  frames(stream).on('mark', (...args) => events.push({ event: 'mark', args }));
  stream.on('dtmf', (...args) => events.push({ event: 'dtmf', args }));
  stream.on('stop', (...args) => events.push({ event: 'stop', args }));
  stream.on('closed', (...args) => events.push({ event: 'closed', args }));
  stream.on('rejected', (...args) => events.push({ event: 'rejected', args }));
  return events;
}

interface Harness {
  port: number;
  /** The server's end of each upgraded connection, under the WebSocket. */
  sockets: Duplex[];
  localStreamUrl: string;
  streams: TwilioMediaStream[];
  refused: string[];
  arrivals: EventEmitter<{ stream: [TwilioMediaStream] }>;
  mediaServer: MediaStreamServer;
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  // Last in, first out: clients before the servers they talk to.
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startHarness(overrides: Partial<MediaStreamServerOptions> = {}): Promise<Harness> {
  const streams: TwilioMediaStream[] = [];
  const refused: string[] = [];
  const arrivals = new EventEmitter<{ stream: [TwilioMediaStream] }>();
  const mediaServer = new MediaStreamServer({
    authToken: AUTH_TOKEN,
    publicUrl: undefined,
    logger: silentLogger(),
    onStream: (stream) => {
      streams.push(stream);
      arrivals.emit('stream', stream);
    },
    onRefused: (reason) => refused.push(reason),
    ...overrides,
  });
  const sockets: Duplex[] = [];
  const server: Server = createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (_request, socket) => sockets.push(socket));
  mediaServer.attach(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    await mediaServer.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { port, sockets, localStreamUrl: `ws://127.0.0.1:${port}/twilio/media`, streams, refused, arrivals, mediaServer };
}

function openClient(url: string, headers: Record<string, string>): WebSocket {
  const client = new WebSocket(url, { headers, perMessageDeflate: false });
  client.on('error', () => {});
  cleanups.push(() => client.terminate());
  return client;
}

/** An upgrade that must be refused: resolves with the HTTP status the server answered. */
async function refusedUpgrade(url: string, headers: Record<string, string>): Promise<number> {
  const client = openClient(url, headers);
  const [, response] = (await once(client, 'unexpected-response')) as [unknown, IncomingMessage];
  response.resume();
  client.terminate();
  return response.statusCode ?? 0;
}

/** A signed upgrade to the local stream URL: resolves once both ends hold the connection. */
async function connect(
  harness: Harness,
  signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, harness.localStreamUrl, {}),
  headers: Record<string, string> = {},
): Promise<{ client: WebSocket; stream: TwilioMediaStream; events: Recorded[] }> {
  const arrived = once(harness.arrivals, 'stream') as Promise<[TwilioMediaStream]>;
  const client = openClient(`ws://127.0.0.1:${harness.port}/twilio/media`, { 'X-Twilio-Signature': signature, ...headers });
  const [[stream]] = await Promise.all([arrived, once(client, 'open')]);
  return { client, stream, events: record(stream) };
}

/** Sends start and waits until the stream has taken it. */
async function started(client: WebSocket, stream: TwilioMediaStream): Promise<void> {
  const start = once(stream, 'start');
  client.send(startFrame({ callSid: CALL_SID }));
  await start;
}

async function nextText(client: WebSocket): Promise<string> {
  const [data, isBinary] = (await once(client, 'message')) as [Buffer, boolean];
  expect(isBinary).toBe(false);
  return data.toString();
}

describe('MediaStreamServer upgrade', () => {
  it('answers 403 to an upgrade without a signature, and opens no stream', async () => {
    const harness = await startHarness();
    expect(await refusedUpgrade(harness.localStreamUrl, {})).toBe(403);
    expect(harness.streams).toEqual([]);
    expect(harness.refused).toEqual(['bad-signature']);
  });

  it('answers 403 to a signature of another URL or made with another token', async () => {
    const harness = await startHarness();
    const otherUrl = twilio.getExpectedTwilioSignature(AUTH_TOKEN, 'wss://elsewhere.example.com/twilio/media', {});
    const otherToken = twilio.getExpectedTwilioSignature('not-the-token', harness.localStreamUrl, {});
    expect(await refusedUpgrade(harness.localStreamUrl, { 'X-Twilio-Signature': otherUrl })).toBe(403);
    expect(await refusedUpgrade(harness.localStreamUrl, { 'X-Twilio-Signature': otherToken })).toBe(403);
    expect(harness.streams).toEqual([]);
    expect(harness.refused).toEqual(['bad-signature', 'bad-signature']);
  });

  it('accepts a signature of the local stream URL and hands over a stream', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    expect(client.readyState).toBe(WebSocket.OPEN);
    expect(harness.streams).toEqual([stream]);
    expect(harness.refused).toEqual([]);
    expect(stream.isOpen).toBe(true);
    expect(stream.streamSid).toBeUndefined();
  });

  it('accepts a signature of the stream URL with a trailing slash', async () => {
    const harness = await startHarness();
    const { stream } = await connect(harness, twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${harness.localStreamUrl}/`, {}));
    expect(harness.streams).toEqual([stream]);
  });

  it('validates against PUBLIC_URL (as wss) when it is set, not against the local URL', async () => {
    const harness = await startHarness({ publicUrl: 'https://bridge.example.com' });
    const localSignature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, harness.localStreamUrl, {});
    expect(await refusedUpgrade(harness.localStreamUrl, { 'X-Twilio-Signature': localSignature })).toBe(403);
    const { stream } = await connect(
      harness,
      twilio.getExpectedTwilioSignature(AUTH_TOKEN, 'wss://bridge.example.com/twilio/media', {}),
    );
    expect(harness.streams).toEqual([stream]);
  });

  it('validates against the forwarded scheme and host when there is no PUBLIC_URL', async () => {
    const harness = await startHarness();
    const { stream } = await connect(
      harness,
      twilio.getExpectedTwilioSignature(AUTH_TOKEN, 'wss://abc.ngrok.app/twilio/media', {}),
      { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'abc.ngrok.app' },
    );
    expect(harness.streams).toEqual([stream]);
  });

  it('answers upgrades on other paths with 404, and lets go of the server on close', async () => {
    const harness = await startHarness();
    expect(await refusedUpgrade(`ws://127.0.0.1:${harness.port}/twilio/other`, {})).toBe(404);
    expect(harness.refused).toEqual([]);

    const server = createServer();
    const mediaServer = new MediaStreamServer({ authToken: AUTH_TOKEN, publicUrl: undefined, logger: silentLogger(), onStream: () => {} });
    mediaServer.attach(server);
    expect(server.listenerCount('upgrade')).toBe(1);
    await mediaServer.close();
    expect(server.listenerCount('upgrade')).toBe(0);
  });

  it('handles only the media stream path', () => {
    const mediaServer = new MediaStreamServer({
      authToken: AUTH_TOKEN,
      publicUrl: undefined,
      logger: silentLogger(),
      onStream: () => {},
    });
    cleanups.push(() => mediaServer.close());
    const request = (url: string) => ({ url }) as IncomingMessage;
    expect(mediaServer.handles(request('/twilio/media'))).toBe(true);
    expect(mediaServer.handles(request('/twilio/media/'))).toBe(true);
    expect(mediaServer.handles(request('/twilio/media?x=1'))).toBe(true);
    expect(mediaServer.handles(request('/twilio/media2'))).toBe(false);
    expect(mediaServer.handles(request('/twilio/voice'))).toBe(false);
    expect(mediaServer.handles(request('/'))).toBe(false);
  });
});

describe('TwilioMediaStream inbound', () => {
  it('emits start with the call and stream ids, the format and the custom parameters', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    client.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    const start = once(stream, 'start');
    client.send(startFrame({ callId: 'call_42', from: '+14155550100' }));
    await start;
    expect(events).toEqual([
      {
        event: 'start',
        args: [
          {
            streamSid: STREAM_SID,
            callSid: CALL_SID,
            accountSid: ACCOUNT_SID,
            tracks: ['inbound'],
            encoding: 'audio/x-mulaw',
            sampleRate: 8000,
            customParameters: { callId: 'call_42', from: '+14155550100' },
          },
        ],
      },
    ]);
    expect(stream.streamSid).toBe(STREAM_SID);
  });

  it('gives {} as customParameters when start has none', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    const start = once(stream, 'start') as Promise<MediaStreamEvents['start']>;
    client.send(startFrame());
    const [info] = await start;
    expect(info.customParameters).toEqual({});
  });

  it('rejects media before start as unexpected, then accepts media after start', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    const rejected = once(stream, 'rejected');
    client.send(mediaFrame(Buffer.alloc(160, 0xff), 0));
    await rejected;
    expect(events).toEqual([{ event: 'rejected', args: ['unexpected', 'media before start'] }]);
    await started(client, stream);
    const media = once(frames(stream), 'media');
    client.send(mediaFrame(Buffer.from([1, 2, 3]), 20, 3));
    await media;
    expect(events.map((e) => e.event)).toEqual(['rejected', 'start', 'media']);
  });

  it('delivers media with the payload as sent and the timestamp as a number', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    await started(client, stream);
    const audio = Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff));
    const media = once(frames(stream), 'media') as Promise<SinkEvents['media']>;
    client.send(mediaFrame(audio, 1234));
    const [payload, timestampMs] = await media;
    expect(payload).toBe(audio.toString('base64'));
    expect(timestampMs).toBe(1234);
  });

  it('delivers mark echoes and emits dtmf digits and stop, in order', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    await started(client, stream);
    const stop = once(stream, 'stop');
    client.send(JSON.stringify({ event: 'mark', sequenceNumber: '2', streamSid: STREAM_SID, mark: { name: 'item_1:0:0' } }));
    client.send(JSON.stringify({ event: 'dtmf', sequenceNumber: '3', streamSid: STREAM_SID, dtmf: { track: 'inbound_track', digit: '#' } }));
    client.send(
      JSON.stringify({ event: 'stop', sequenceNumber: '4', streamSid: STREAM_SID, stop: { accountSid: ACCOUNT_SID, callSid: CALL_SID } }),
    );
    await stop;
    expect(events.slice(1)).toEqual([
      { event: 'mark', args: ['item_1:0:0'] },
      { event: 'dtmf', args: ['#'] },
      { event: 'stop', args: [] },
    ]);
  });

  it('rejects a malformed frame and keeps working: a later media frame still arrives', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    await started(client, stream);
    const media = once(frames(stream), 'media');
    client.send('{"event":"media",');
    client.send(JSON.stringify({ event: 'media', sequenceNumber: '2', streamSid: STREAM_SID, media: { chunk: '1', timestamp: '0' } }));
    client.send(mediaFrame(Buffer.from([9, 8, 7]), 40, 3));
    await media;
    expect(events.slice(1)).toEqual([
      { event: 'rejected', args: ['malformed', 'not JSON'] },
      { event: 'rejected', args: ['malformed', expect.stringContaining('media.payload')] },
      { event: 'media', args: [Buffer.from([9, 8, 7]).toString('base64'), 40] },
    ]);
    expect(stream.isOpen).toBe(true);
  });

  it('ignores unknown events without rejecting them', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    await started(client, stream);
    const media = once(frames(stream), 'media');
    client.send(JSON.stringify({ event: 'keepalive', streamSid: STREAM_SID }));
    client.send(mediaFrame(Buffer.from([1]), 20));
    await media;
    expect(events.map((e) => e.event)).toEqual(['start', 'media']);
  });

  it('ignores media of a track other than inbound', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    await started(client, stream);
    const media = once(frames(stream), 'media') as Promise<SinkEvents['media']>;
    client.send(mediaFrame(Buffer.from([1]), 20, 2, 'outbound'));
    client.send(mediaFrame(Buffer.from([2]), 40, 3, 'inbound'));
    const [bytes] = await media;
    expect(bytes).toBe(Buffer.from([2]).toString('base64'));
    expect(events.map((e) => e.event)).toEqual(['start', 'media']);
  });

  it('rejects a second start as unexpected and keeps the first stream sid', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    await started(client, stream);
    const rejected = once(stream, 'rejected');
    client.send(startFrame());
    await rejected;
    expect(events.slice(1)).toEqual([{ event: 'rejected', args: ['unexpected', 'second start'] }]);
    expect(stream.streamSid).toBe(STREAM_SID);
  });

  it('rejects a binary frame as malformed and keeps working', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    await started(client, stream);
    const rejected = once(stream, 'rejected');
    client.send(Buffer.from(mediaFrame(Buffer.from([1]), 20)), { binary: true });
    await rejected;
    const media = once(frames(stream), 'media');
    client.send(mediaFrame(Buffer.from([5]), 40, 3));
    await media;
    expect(events.slice(1)).toEqual([
      { event: 'rejected', args: ['malformed', 'binary frame'] },
      { event: 'media', args: [Buffer.from([5]).toString('base64'), 40] },
    ]);
  });

  it('closes the socket with 1009 when a frame exceeds maxPayload, counting it as malformed', async () => {
    // ws sends close 1009 and stops reading, so it never sees the client's echo: the server-side
    // socket, and therefore the stream, reports 1006 while the client sees 1009.
    const harness = await startHarness({ maxPayloadBytes: 1024 });
    const { client, stream, events } = await connect(harness);
    await started(client, stream);
    const clientClosed = once(client, 'close') as Promise<[number, Buffer]>;
    const streamClosed = once(stream, 'closed');
    client.send(mediaFrame(Buffer.alloc(2048, 0xff), 20));
    const [[clientCode], [closed]] = await Promise.all([clientClosed, streamClosed]);
    expect(clientCode).toBe(1009);
    expect(closed).toEqual({ code: 1006, reason: '' });
    expect(events.slice(1)).toEqual([
      { event: 'rejected', args: ['malformed', 'frame too large'] },
      { event: 'closed', args: [{ code: 1006, reason: '' }] },
    ]);
    expect(stream.isOpen).toBe(false);
  });

  it('accepts a frame just under maxPayload', async () => {
    const harness = await startHarness({ maxPayloadBytes: 1024 });
    const { client, stream } = await connect(harness);
    await started(client, stream);
    const frame = mediaFrame(Buffer.alloc(600, 0xff), 20);
    expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(1024);
    const media = once(frames(stream), 'media') as Promise<SinkEvents['media']>;
    client.send(frame);
    const [bytes] = await media;
    expect(Buffer.from(bytes, 'base64')).toHaveLength(600);
  });
});

describe('TwilioMediaStream outbound', () => {
  it('sends nothing before start, then exactly the documented media, mark and clear JSON', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    const received: string[] = [];
    client.on('message', (data: Buffer) => received.push(data.toString()));
    stream.sendMedia('AAAA');
    stream.sendMark('too-early');
    stream.clear();
    await started(client, stream);
    const payload = Buffer.alloc(160, 0xff).toString('base64');
    stream.sendMedia(payload);
    stream.sendMark('item_1:160:0');
    stream.clear();
    const third = new Promise<void>((resolve) => {
      const check = () => {
        if (received.length >= 3) {
          client.off('message', check);
          resolve();
        }
      };
      client.on('message', check);
      check();
    });
    await third;
    expect(received).toEqual([
      `{"event":"media","streamSid":"${STREAM_SID}","media":{"payload":"${payload}"}}`,
      `{"event":"mark","streamSid":"${STREAM_SID}","mark":{"name":"item_1:160:0"}}`,
      `{"event":"clear","streamSid":"${STREAM_SID}"}`,
    ]);
  });

  it('hands what together() sends to the connection as one write, in order', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    await started(client, stream);
    // Writable's own hooks: each call is one batch handed to the connection (one system call).
    const socket = harness.sockets[0]! as Duplex & { _writev?: (...args: unknown[]) => void; _write: (...args: unknown[]) => void };
    let batches = 0;
    for (const hook of ['_write', '_writev'] as const) {
      const original = socket[hook]?.bind(socket);
      if (original) socket[hook] = (...args: unknown[]) => (batches++, original(...args));
    }
    const received: string[] = [];
    const both = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer) => {
        if (received.push(data.toString()) === 2) resolve();
      }),
    );
    stream.together(() => {
      stream.sendMedia('AAAA');
      stream.sendMark('item_1:0:1');
    });
    await both;
    expect(batches).toBe(1);
    expect(received).toEqual([
      `{"event":"media","streamSid":"${STREAM_SID}","media":{"payload":"AAAA"}}`,
      `{"event":"mark","streamSid":"${STREAM_SID}","mark":{"name":"item_1:0:1"}}`,
    ]);
  });

  it('sends text frames', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    await started(client, stream);
    const text = nextText(client);
    stream.clear();
    expect(JSON.parse(await text)).toEqual({ event: 'clear', streamSid: STREAM_SID });
  });

  it('sends nothing after close', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    await started(client, stream);
    const received: string[] = [];
    client.on('message', (data: Buffer) => received.push(data.toString()));
    const clientClosed = once(client, 'close');
    stream.close();
    stream.sendMedia('AAAA');
    stream.sendMark('late');
    stream.clear();
    await clientClosed;
    expect(received).toEqual([]);
  });
});

describe('TwilioMediaStream closing', () => {
  it('close() closes the socket with 1000, is idempotent and emits closed once', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    await started(client, stream);
    const clientClosed = once(client, 'close') as Promise<[number, Buffer]>;
    stream.close();
    stream.close();
    stream.close(4000, 'again');
    const [code, reason] = await clientClosed;
    expect(code).toBe(1000);
    expect(reason.toString()).toBe('call ended');
    // After the server has shut down, the server-side socket's own close event has run too.
    await harness.mediaServer.close();
    expect(events.filter((e) => e.event === 'closed')).toEqual([{ event: 'closed', args: [{ code: 1000, reason: 'call ended' }] }]);
    expect(stream.isOpen).toBe(false);
    expect(stream.streamSid).toBeUndefined();
  });

  it('close(code, reason) passes both to the socket', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    const clientClosed = once(client, 'close') as Promise<[number, Buffer]>;
    const streamClosed = once(stream, 'closed');
    stream.close(4001, 'handoff');
    const [[code, reason], [closed]] = await Promise.all([clientClosed, streamClosed]);
    expect(code).toBe(4001);
    expect(reason.toString()).toBe('handoff');
    expect(closed).toEqual({ code: 4001, reason: 'handoff' });
  });

  it('emits closed with the code and reason when the remote end closes, without a stop', async () => {
    const harness = await startHarness();
    const { client, stream, events } = await connect(harness);
    await started(client, stream);
    const streamClosed = once(stream, 'closed');
    client.close(4000, 'caller hung up');
    const [closed] = await streamClosed;
    expect(closed).toEqual({ code: 4000, reason: 'caller hung up' });
    expect(stream.isOpen).toBe(false);
    stream.close();
    await harness.mediaServer.close();
    expect(events.map((e) => e.event)).toEqual(['start', 'closed']);
  });

  it('emits closed with 1006 when the remote end drops the connection', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    const streamClosed = once(stream, 'closed');
    client.terminate();
    const [closed] = await streamClosed;
    expect(closed).toEqual({ code: 1006, reason: '' });
  });

  it('MediaStreamServer.close() drops remaining streams', async () => {
    const harness = await startHarness();
    const { client, stream } = await connect(harness);
    const clientClosed = once(client, 'close');
    const streamClosed = once(stream, 'closed');
    await harness.mediaServer.close();
    await Promise.all([clientClosed, streamClosed]);
    expect(stream.isOpen).toBe(false);
  });
});
