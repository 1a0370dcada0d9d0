import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { captureLog } from '../../support/log-capture.js';
import { z } from 'zod';
import { CallbridgeError, ConfigError, StoreError, UpstreamError } from '../../../src/errors.js';
import { BadRequestError, NotFoundError, errorHandler, errorResponse, invalidQuery } from '../../../src/http/errors.js';
import { createLogger } from '../../../src/log.js';

describe('errorResponse', () => {
  it('answers a bad request 400 with its code and message', () => {
    expect(errorResponse(new BadRequestError('invalid_query', 'limit: must be a whole number from 1 to 200'))).toEqual({
      status: 400,
      body: { error: 'invalid_query', message: 'limit: must be a whole number from 1 to 200' },
    });
  });

  it('answers not found 404 with the sentence in `error`, as the operator API always has', () => {
    expect(errorResponse(new NotFoundError('call_not_found', 'no such call'))).toEqual({ status: 404, body: { error: 'no such call' } });
  });

  it('answers an upstream failure 502, and 503 when it is a retryable "unavailable"', () => {
    expect(errorResponse(new UpstreamError('summary_request_failed', 'boom', true))).toEqual({ status: 502, body: { error: 'summary_request_failed' } });
    expect(errorResponse(new UpstreamError('webhook_rejected', 'HTTP 500', false))).toEqual({ status: 502, body: { error: 'webhook_rejected' } });
    expect(errorResponse(new UpstreamError('store_unavailable', 'store connect failed: database unavailable: ECONNREFUSED', true))).toEqual({
      status: 503,
      body: { error: 'store_unavailable' },
    });
    // Not retryable: the client should not be told to come back.
    expect(errorResponse(new UpstreamError('store_unavailable', 'gone for good', false)).status).toBe(502);
  });

  it('answers everything else 500 with a body that says nothing more', () => {
    const internal = { status: 500, body: { error: 'internal' } };
    expect(errorResponse(new StoreError('store_query_failed', 'store query failed: syntax error at or near "SELEC"'))).toEqual(internal);
    expect(errorResponse(new StoreError('store_invalid_cursor', 'the list cursor is malformed'))).toEqual(internal);
    expect(errorResponse(new ConfigError(['PORT: expected a number']))).toEqual(internal);
    expect(errorResponse(new CallbridgeError('something_new', 'secret detail'))).toEqual(internal);
    expect(errorResponse(new TypeError("Cannot read properties of undefined (reading 'x')"))).toEqual(internal);
    expect(errorResponse('a string')).toEqual(internal);
    expect(errorResponse(null)).toEqual(internal);
  });

  it("keeps express's own client errors (a malformed JSON body), and only those it marks as exposed", () => {
    const parseFailed = Object.assign(new SyntaxError('Unexpected token } in JSON'), { status: 400, expose: true, type: 'entity.parse.failed' });
    expect(errorResponse(parseFailed)).toEqual({ status: 400, body: { error: 'invalid_request', message: 'Unexpected token } in JSON' } });
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
    expect(errorResponse(tooLarge)).toEqual({ status: 413, body: { error: 'invalid_request', message: 'request entity too large' } });
    expect(errorResponse(Object.assign(new Error('hidden'), { status: 400, expose: false }))).toEqual({ status: 500, body: { error: 'internal' } });
    expect(errorResponse(Object.assign(new Error('socket hang up'), { status: 503, expose: true }))).toEqual({ status: 500, body: { error: 'internal' } });
  });
});

describe('invalidQuery', () => {
  it('names each parameter that failed', () => {
    const schema = z.object({ limit: z.string().regex(/^\d+$/, 'must be a number'), status: z.enum(['a', 'b'], { error: 'must be a or b' }) });
    const parsed = schema.safeParse({ limit: 'abc', status: 'c' });
    expect(parsed.success).toBe(false);
    const error = invalidQuery(parsed.error!);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ code: 'invalid_query', message: 'limit: must be a number; status: must be a or b' });
  });
});


describe('errorHandler', () => {
  async function withApp(routes: Record<string, RequestHandler>, test: (url: string, lines: Array<Record<string, unknown>>) => Promise<void>) {
    const { stream, lines } = captureLog();
    const app = express();
    for (const [path, handler] of Object.entries(routes)) app.get(path, handler);
    app.use(errorHandler(createLogger('info', stream)));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      await test(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('answers thrown and passed-on errors with their status and body, logging nothing for client errors', async () => {
    await withApp(
      {
        '/thrown': () => {
          throw new BadRequestError('invalid_query', 'cursor: not a cursor from a previous page');
        },
        '/passed': (_request, _response, next) => next(new NotFoundError('call_not_found', 'no such call')),
        '/rejected': async () => {
          throw new UpstreamError('store_unavailable', 'store query failed: database unavailable: ECONNRESET', true);
        },
      },
      async (url, lines) => {
        const thrown = await fetch(`${url}/thrown`);
        expect(thrown.status).toBe(400);
        expect(await thrown.json()).toEqual({ error: 'invalid_query', message: 'cursor: not a cursor from a previous page' });
        const passed = await fetch(`${url}/passed`);
        expect(passed.status).toBe(404);
        expect(await passed.json()).toEqual({ error: 'no such call' });
        expect(lines).toEqual([]);

        const rejected = await fetch(`${url}/rejected`);
        expect(rejected.status).toBe(503);
        expect(await rejected.json()).toEqual({ error: 'store_unavailable' });
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatchObject({ level: 40, msg: 'request failed upstream', code: 'store_unavailable', method: 'GET', path: '/rejected', status: 503 });
      },
    );
  });

  it('answers an unknown error 500 with a generic body and writes one error line with the stack', async () => {
    await withApp(
      {
        '/bug': () => {
          throw new TypeError('secret internals');
        },
      },
      async (url, lines) => {
        const response = await fetch(`${url}/bug?q=what%20the%20caller%20said`);
        expect(response.status).toBe(500);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({ error: 'internal' });
        expect(text).not.toContain('secret');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatchObject({ level: 50, msg: 'request failed', method: 'GET', path: '/bug', status: 500 });
        expect((lines[0]!['err'] as { message: string; stack: string }).stack).toContain('TypeError: secret internals');
        // The path only: a query can carry words from transcripts.
        expect(JSON.stringify(lines[0])).not.toContain('what the caller said');
      },
    );
  });

  it('cuts a response short when its headers are already out', async () => {
    await withApp(
      {
        '/stream': (_request, response, next) => {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('retry: 3000\n\n');
          next(new Error('the feed broke'));
        },
      },
      async (url, lines) => {
        // Never a complete response: the client sees the connection drop, before or after the headers.
        await expect(fetch(`${url}/stream`).then((response) => response.text())).rejects.toThrow();
        expect(lines.map((line) => line.msg)).toEqual(['request failed']);
      },
    );
  });
});
