import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_STATUSES } from '../../../src/call-status.js';
import { dashboardRoutes } from '../../../src/http/dashboard.js';

const STRICT_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

describe('dashboardRoutes', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = express().use(dashboardRoutes()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.close();
  });

  it('serves the page under the strict CSP, never cached unrevalidated', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<script type="module" src="app.js"></script>');
    expect(response.headers.get('content-security-policy')).toBe(STRICT_CSP);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the server’s list of call statuses as the module the dashboard imports', async () => {
    const response = await fetch(`${base}/call-status.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('content-security-policy')).toBe(STRICT_CSP);
    const served = (await import(`data:text/javascript,${encodeURIComponent(await response.text())}`)) as { CALL_STATUSES: readonly string[] };
    expect(served.CALL_STATUSES).toEqual(CALL_STATUSES);
    expect(Object.isFrozen(served.CALL_STATUSES)).toBe(true);
  });

  it('offers no status in the page itself, so the served list is the only one', async () => {
    const page = await (await fetch(`${base}/`)).text();
    const options = [...page.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1]);
    expect(options).toEqual(['']);
  });
});
