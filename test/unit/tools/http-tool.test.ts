import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpTool } from '../../../src/tools/http-tool.js';
import { ToolError, type ToolContext } from '../../../src/tools/tool.js';
import type { HttpToolEntry } from '../../../src/tools/tools-file.js';

const SECRET = 'tool-secret-0123456789';
const received: { method: string | undefined; url: string | undefined; headers: IncomingHttpHeaders; body: string }[] = [];
let answer: (response: ServerResponse) => void;
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    answer(response);
  });
});
let baseUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  answer = (response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{ "status": "shipped" }');
});

function entry(overrides: Partial<HttpToolEntry> = {}): HttpToolEntry {
  return {
    name: 'lookup_order',
    description: 'Look up an order',
    parameters: { type: 'object', properties: { orderId: { type: 'string' } } },
    url: `${baseUrl}/tools/lookup_order`,
    timeoutMs: 3000,
    ...overrides,
  };
}

const context: ToolContext = { callSid: 'CA1', from: '+15550001111', to: undefined, language: 'English', signal: new AbortController().signal };

describe('httpTool', () => {
  it('describes itself as its entry does', () => {
    const tool = httpTool(entry(), { secret: undefined });
    expect(tool).toMatchObject({ name: 'lookup_order', description: 'Look up an order', parameters: entry().parameters, timeoutMs: 3000 });
  });

  it('POSTs the call and the arguments, signed so the endpoint can verify them', async () => {
    const tool = httpTool(entry(), { secret: SECRET, nowSeconds: () => 1_700_000_000 });
    await tool.handler({ orderId: '4572' }, context);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/tools/lookup_order' });
    expect(request!.body).toBe('{"callSid":"CA1","tool":"lookup_order","arguments":{"orderId":"4572"},"from":"+15550001111","to":null}');
    expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'callbridge-tools/1' });
    const digest = createHmac('sha256', SECRET).update(`1700000000.${request!.body}`).digest('hex');
    expect(request!.headers['x-callbridge-signature']).toBe(`t=1700000000,v1=${digest}`);
  });

  it('sends no signature without a secret', async () => {
    await httpTool(entry(), { secret: undefined }).handler({}, context);
    expect(received[0]!.headers).not.toHaveProperty('x-callbridge-signature');
  });

  it('re-serializes a JSON answer, passes text through, and answers {"ok":true} for an empty body', async () => {
    const tool = httpTool(entry(), { secret: undefined });
    expect(await tool.handler({}, context)).toBe('{"status":"shipped"}');
    answer = (response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('Shipped with UPS.');
    expect(await tool.handler({}, context)).toBe('Shipped with UPS.');
    answer = (response) => response.writeHead(204).end();
    expect(await tool.handler({}, context)).toBe('{"ok":true}');
  });

  it('throws a ToolError naming the status when the endpoint does not answer 2xx', async () => {
    answer = (response) => response.writeHead(503).end('internal stack trace');
    const failure = httpTool(entry(), { secret: undefined }).handler({}, context);
    await expect(failure).rejects.toThrow(new ToolError('lookup_order endpoint answered HTTP 503'));
    await expect(failure).rejects.toBeInstanceOf(ToolError);
  });

  it('refuses an answer over 64 KiB', async () => {
    answer = (response) => response.writeHead(200).end('x'.repeat(64 * 1024 + 1));
    await expect(httpTool(entry(), { secret: undefined }).handler({}, context)).rejects.toThrow('lookup_order endpoint answer too large');
    answer = (response) => response.writeHead(200).end('x'.repeat(64 * 1024));
    expect(await httpTool(entry(), { secret: undefined }).handler({}, context)).toHaveLength(64 * 1024);
  });

  it('throws a ToolError when the endpoint cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const failure = httpTool(entry({ url: `http://127.0.0.1:${port}/tools/lookup_order` }), { secret: undefined }).handler({}, context);
    await expect(failure).rejects.toThrow(new ToolError('lookup_order endpoint unreachable'));
  });

  it('lets an abort through as it is, rather than blaming the endpoint', async () => {
    answer = () => {};
    const hangUp = new AbortController();
    const pending = httpTool(entry(), { secret: undefined }).handler({}, { ...context, signal: hangUp.signal });
    hangUp.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
