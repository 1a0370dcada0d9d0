import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { OperatorAuth } from '../../../src/http/operator-auth.js';

const TOKEN = 'operator-token-0123456789';
const request = (headers: Record<string, string>) => ({ header: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;
const cookieOf = (setCookie: string) => setCookie.split(';')[0]!;

describe('OperatorAuth', () => {
  const auth = new OperatorAuth(TOKEN);

  it('accepts exactly the bearer token', () => {
    expect(auth.isAuthorized(request({ authorization: `Bearer ${TOKEN}` }))).toBe(true);
    expect(auth.isAuthorized(request({ authorization: `Bearer ${TOKEN}x` }))).toBe(false);
    expect(auth.isAuthorized(request({ authorization: `Bearer ${TOKEN.slice(0, -1)}` }))).toBe(false);
    expect(auth.isAuthorized(request({ authorization: TOKEN }))).toBe(false);
    expect(auth.isAuthorized(request({}))).toBe(false);
  });

  it('issues a session cookie that works until it expires, and only with the token it was made with', () => {
    const issuedAt = 1_700_000_000_000;
    const setCookie = auth.sessionCookie(true, issuedAt);
    expect(setCookie).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/);
    const cookie = request({ cookie: `theme=dark; ${cookieOf(setCookie)}` });
    expect(auth.isAuthorized(cookie, issuedAt + 1000)).toBe(true);
    expect(auth.isAuthorized(cookie, issuedAt + 12 * 3_600_000 + 1)).toBe(false);
    expect(new OperatorAuth('another-token-0123456789').isAuthorized(cookie, issuedAt + 1000)).toBe(false);
  });

  it('rejects a cookie whose expiry was extended by hand', () => {
    const [name, value] = cookieOf(auth.sessionCookie(false, 0)).split('=');
    const [, signature] = value!.split('.');
    const forged = request({ cookie: `${name}=${Date.now() + 3_600_000}.${signature}` });
    expect(auth.isAuthorized(forged)).toBe(false);
  });
});
