import { afterEach, describe, expect, it } from 'vitest';
import { startExampleToolBackend, type ExampleToolBackend } from '../../../src/sim/tool-backend.js';
import { signPayload } from '../../../src/tools/signing.js';

const SECRET = 'tool-secret-0123456789';
let backend: ExampleToolBackend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

function post(path: string, body: string, signature?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['x-callbridge-signature'] = signature;
  return fetch(`${backend!.url}${path}`, { method: 'POST', headers, body });
}

const lookup = (orderId: string) => JSON.stringify({ callSid: 'CA1', tool: 'lookup_order', arguments: { orderId }, from: null, to: null });

describe('startExampleToolBackend', () => {
  it('knows order 4572 (shipped, arriving in two days) and no other, and records each request', async () => {
    backend = await startExampleToolBackend();
    expect(backend.url).toBe(`http://127.0.0.1:${backend.port}`);
    const inTwoDays = () => new Date(Date.now() + 2 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    const before = inTwoDays();
    const shipped = await post('/tools/lookup_order', lookup('4572'));
    // Either side of midnight UTC, should the request straddle it.
    const expectedDelivery = expect.toBeOneOf([before, inTwoDays()]);
    expect(shipped.status).toBe(200);
    expect(await shipped.json()).toEqual({ orderId: '4572', status: 'shipped', carrier: 'UPS', expectedDelivery });
    expect(await (await post('/tools/lookup_order', lookup('1'))).json()).toEqual({ orderId: '1', status: 'not_found' });
    expect(backend.requests).toEqual([
      { tool: 'lookup_order', body: JSON.parse(lookup('4572')), signature: undefined, atMs: expect.any(Number) },
      { tool: 'lookup_order', body: JSON.parse(lookup('1')), signature: undefined, atMs: expect.any(Number) },
    ]);
  });

  it('answers 404 for any other tool or path', async () => {
    backend = await startExampleToolBackend();
    expect((await post('/tools/cancel_order', lookup('4572'))).status).toBe(404);
    expect((await fetch(`${backend.url}/tools/lookup_order`)).status).toBe(404);
    expect((await post('/elsewhere', '{}')).status).toBe(404);
  });

  it('with a secret, answers only correctly signed requests', async () => {
    backend = await startExampleToolBackend({ secret: SECRET });
    const body = lookup('4572');
    const signature = signPayload(SECRET, body, 1_700_000_000);
    expect((await post('/tools/lookup_order', body, signature)).status).toBe(200);
    expect((await post('/tools/lookup_order', body)).status).toBe(401);
    expect((await post('/tools/lookup_order', body, signPayload('wrong-secret', body, 1_700_000_000))).status).toBe(401);
    expect((await post('/tools/lookup_order', lookup('4573'), signature)).status).toBe(401);
    expect(backend.requests.map((request) => request.signature)).toEqual([signature, undefined, expect.any(String), signature]);
  });

  it('closes idempotently', async () => {
    backend = await startExampleToolBackend();
    await post('/tools/lookup_order', lookup('4572'));
    await Promise.all([backend.close(), backend.close()]);
    await expect(post('/tools/lookup_order', lookup('4572'))).rejects.toThrow();
  });
});
