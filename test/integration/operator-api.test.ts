import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { callerClip, voiceClip } from '../../src/sim/assets.js';
import { playScenario } from '../../src/sim/run-scenario.js';
import { englishSupportCall, type Scenario } from '../../src/sim/scenarios.js';
import { signPayload } from '../../src/tools/signing.js';
import { operatorApi, startHarness, waitFor, type Harness } from '../support/harness.js';

const TOKEN = 'operator-token-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const oneExchange: Scenario = { ...englishSupportCall, turns: [englishSupportCall.turns[1]!] };

interface Delivery {
  headers: IncomingMessage['headers'];
  body: string;
}

describe('operator API', () => {
  let harness: Harness;
  let callSid: string;
  const deliveries: Delivery[] = [];
  /** The server's log lines at warn and above, parsed. */
  const logLines: Array<{ level: number; msg: string }> = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as { level: number; msg: string });
      callback();
    },
  });
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  const api = (path: string, init: RequestInit = {}) => fetch(`${harness.server.url}${path}`, init);
  const authorized = (path: string) => api(path, { headers: { authorization: `Bearer ${TOKEN}` } });

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/summary`;
    harness = await startHarness({
      simulator: { scenario: oneExchange },
      env: { OPERATOR_TOKEN: TOKEN, SUMMARY_WEBHOOK_URL: webhookUrl, SUMMARY_WEBHOOK_SECRET: WEBHOOK_SECRET },
      logger: createLogger('warn', logStream),
    });
    const caller = await harness.caller({ from: '+14155550100', to: '+15005550006' }).dial();
    callSid = caller.callSid;
    await playScenario(caller, oneExchange);
    await operatorApi(harness, TOKEN).waitForCall(callSid, (call) => call.summary !== null, 'the post-call summary');
  });
  afterAll(async () => {
    await harness.close();
    receiver.close();
  });

  it('answers 401 without the operator token, with a wrong one, or with a forged cookie', async () => {
    for (const path of ['/api/calls', `/api/calls/${callSid}`, '/api/events']) {
      expect((await api(path)).status).toBe(401);
      expect((await api(path, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      expect((await api(path, { headers: { cookie: `callbridge_session=${Date.now() + 60_000}.forged` } })).status).toBe(401);
    }
  });

  it('lists calls newest first with the exact fields, and the summary line', async () => {
    const response = await authorized('/api/calls');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { calls: Record<string, unknown>[]; nextCursor: string | null };
    expect(body.nextCursor).toBeNull();
    expect(body.calls).toHaveLength(1);
    expect(body.calls[0]).toEqual({
      callSid,
      status: 'completed',
      startedAt: expect.any(String),
      endedAt: expect.any(String),
      from: '+14155550100',
      to: '+15005550006',
      direction: 'inbound',
      durationMs: expect.any(Number),
      summary: `The caller said: ${callerClip('en-change-address').transcript}`,
    });
  });

  it('returns a call with its turns as transcribed and a structured summary in the call\'s language', async () => {
    const call = (await (await authorized(`/api/calls/${callSid}`)).json()) as {
      turns: { role: string; text: string; itemId: string; at: string }[];
      summary: Record<string, unknown>;
      status: string;
      streamSid: string;
      language: string;
    };
    expect(call.status).toBe('completed');
    expect(call.streamSid).toMatch(/^MZ/);
    expect(call.turns.map((turn) => [turn.role, turn.text])).toEqual([
      ['assistant', voiceClip('greeting-en').text],
      ['user', callerClip('en-change-address').transcript],
      ['assistant', voiceClip('address-en').text],
    ]);
    expect(call.turns.every((turn) => turn.itemId.length > 0 && !Number.isNaN(Date.parse(turn.at)))).toBe(true);
    expect(call.language).toBe('English');
    expect(call.summary).toMatchObject({
      text: expect.stringContaining('twelve Baker Street'),
      language: 'English',
      synopsis: expect.any(String),
      intent: expect.any(String),
      outcome: expect.any(String),
      actionItems: [callerClip('en-change-address').transcript],
      keyFacts: [callerClip('en-change-address').transcript],
      sentiment: 'neutral',
    });
    expect((await authorized('/api/calls/CA00000000000000000000000000000000')).status).toBe(404);
  });

  it('filters by status and searches text; rejects malformed queries', async () => {
    const sids = async (query: string) =>
      ((await (await authorized(`/api/calls?${query}`)).json()) as { calls: { callSid: string }[] }).calls.map((c) => c.callSid);
    expect(await sids('status=completed')).toEqual([callSid]);
    expect(await sids('status=failed')).toEqual([]);
    expect(await sids('q=baker%20street')).toEqual([callSid]);
    expect(await sids('q=refund')).toEqual([]);
    expect(await sids(`since=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);
    expect((await authorized('/api/calls?status=unknown')).status).toBe(400);
    expect((await authorized('/api/calls?limit=0')).status).toBe(400);
  });

  it('answers 400 invalid_query naming the parameter for each malformed query, without logging an error', async () => {
    const before = logLines.length;
    const cases: Record<string, string> = {
      'cursor=junk': 'cursor: not a cursor from a previous page',
      // Decodes, but not to anything a page ever handed out.
      [`cursor=${Buffer.from('["yesterday","CA1"]').toString('base64url')}`]: 'cursor: not a cursor from a previous page',
      'limit=0': 'limit: must be a whole number from 1 to 200',
      'limit=201': 'limit: must be a whole number from 1 to 200',
      'limit=abc': 'limit: must be a whole number from 1 to 200',
      'limit=1&limit=2': 'limit: must be a whole number from 1 to 200',
      'status=nope': 'status: must be one of in-progress, completed, failed, interrupted',
      'since=yesterday': 'since: must be an ISO 8601 date (2024-05-01) or date-time with a zone (2024-05-01T09:00:00Z)',
      'until=2024-02-30': 'until: must be an ISO 8601 date (2024-05-01) or date-time with a zone (2024-05-01T09:00:00Z)',
      'q=%00': 'q: must not contain NUL characters',
      'status=nope&limit=0': 'limit: must be a whole number from 1 to 200; status: must be one of in-progress, completed, failed, interrupted',
    };
    for (const [query, message] of Object.entries(cases)) {
      const response = await authorized(`/api/calls?${query}`);
      expect({ query, status: response.status, body: await response.json() }).toEqual({ query, status: 400, body: { error: 'invalid_query', message } });
    }
    expect(logLines.slice(before).filter((line) => line.msg.startsWith('request failed'))).toEqual([]);
  });

  it('pages with a valid cursor, and the cursor keeps the filters of the query it is sent with', async () => {
    // Long before the calls of this file, so `until` isolates them.
    const seeded = ['CA00000000000000000000000000000001', 'CA00000000000000000000000000000002', 'CA00000000000000000000000000000003'];
    for (const [index, sid] of seeded.entries()) {
      const startedAt = new Date(Date.UTC(2020, 0, 1, 12, index));
      await harness.server.store.createCall({ callSid: sid, startedAt, instanceId: 'seeded-by-test' });
      await harness.server.store.endCall(sid, { status: 'completed', endedAt: new Date(startedAt.getTime() + 1000), endReason: 'caller hung up' });
    }
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const response = await authorized(`/api/calls?limit=2&until=2021-01-01${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { calls: { callSid: string }[]; nextCursor: string | null };
      pages.push(page.calls.map((call) => call.callSid));
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages).toEqual([[seeded[2], seeded[1]], [seeded[0]]]);
  });

  it('signs the dashboard in with a session cookie, and out again', async () => {
    expect((await api('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"nope"}' })).status).toBe(401);
    const signIn = await api('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^callbridge_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    expect((await api('/api/calls', { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
    const signOut = await api('/api/session', { method: 'DELETE' });
    expect(signOut.headers.get('set-cookie')).toMatch(/Max-Age=0/);
  });

  it('streams live calls and turns as Server-Sent Events', async () => {
    const response = await authorized('/api/events');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let received = '';
    const live = harness.caller().dial();
    const caller = await live;
    await waitFor(async () => {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
      return received.includes('event: turn\n');
    }, 'a live turn', 15_000);
    await reader.cancel();
    await caller.hangUp();
    expect(received).toContain(`event: call\ndata: {"callSid":"${caller.callSid}"`);
    const turnLine = received.split('\n').find((line) => line.startsWith('data: {"callSid"') && line.includes('"role":"assistant"'));
    expect(JSON.parse(turnLine!.slice('data: '.length))).toMatchObject({ callSid: caller.callSid, role: 'assistant', text: voiceClip('greeting-en').text });
  });

  it('delivers each post-call summary to the webhook, signed with HMAC-SHA256', async () => {
    await waitFor(() => deliveries.length > 0, 'the webhook delivery');
    const [delivery] = deliveries;
    const signature = String(delivery!.headers['x-callbridge-signature']);
    const timestamp = Number(/^t=(\d+),/.exec(signature)?.[1]);
    expect(signature).toBe(signPayload(WEBHOOK_SECRET, delivery!.body, timestamp));
    expect(Math.abs(Date.now() / 1000 - timestamp)).toBeLessThan(120);
    expect(JSON.parse(delivery!.body)).toMatchObject({
      event: 'call.summary',
      callSid,
      status: 'completed',
      summary: { text: expect.stringContaining('Baker Street'), sentiment: 'neutral', language: 'English' },
    });
  });
});

describe('operator API switched off', () => {
  it('answers 404 with a hint when OPERATOR_TOKEN is not set', async () => {
    const harness = await startHarness();
    try {
      const response = await fetch(`${harness.server.url}/api/calls`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: expect.stringContaining('set OPERATOR_TOKEN') });
      expect((await fetch(`${harness.server.url}/`)).status).toBe(404);
    } finally {
      await harness.close();
    }
  });
});
