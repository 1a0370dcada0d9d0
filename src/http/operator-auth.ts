import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export const SESSION_COOKIE = 'callbridge_session';
const SESSION_TTL_MS = 12 * 3_600_000;

/** Equal-length digests make the comparison constant-time whatever the inputs' lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Operator access: `Authorization: Bearer <OPERATOR_TOKEN>` for the API, or the dashboard's session
 * cookie, which is `<expiry>.<HMAC of the expiry keyed by the token>`: stateless, and void as soon as
 * the token changes.
 */
export class OperatorAuth {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  checkToken(given: string): boolean {
    return sameSecret(given, this.#token);
  }

  /** The Set-Cookie value for a signed-in dashboard. */
  sessionCookie(secure: boolean, nowMs = Date.now()): string {
    const expires = nowMs + SESSION_TTL_MS;
    const value = `${expires}.${this.#sign(String(expires))}`;
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
  }

  clearedCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  isAuthorized(request: Request, nowMs = Date.now()): boolean {
    const header = request.header('authorization');
    if (header?.startsWith('Bearer ')) return this.checkToken(header.slice('Bearer '.length).trim());
    const cookie = readCookie(request.header('cookie'), SESSION_COOKIE);
    if (!cookie) return false;
    const [expires, signature] = cookie.split('.');
    if (!expires || !signature || Number(expires) < nowMs) return false;
    return sameSecret(signature, this.#sign(expires));
  }

  /** Express middleware answering 401 (with a WWW-Authenticate challenge) to anyone else. */
  required(): RequestHandler {
    return (request: Request, response: Response, next: NextFunction) => {
      if (this.isAuthorized(request)) return next();
      response.status(401).set('WWW-Authenticate', 'Bearer realm="callbridge"').json({ error: 'unauthorized' });
    };
  }

  #sign(value: string): string {
    return createHmac('sha256', this.#token).update(`callbridge-session:${value}`).digest('base64url');
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
