import type { IncomingHttpHeaders } from 'node:http';
// The SDK's webhook module alone: its root loads every REST resource (8 MB of heap) this path never uses.
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';

export const MEDIA_STREAM_PATH = '/twilio/media';

/**
 * The base URL Twilio used to reach us: PUBLIC_URL when set (behind ngrok or a TLS proxy the local
 * URL is never what Twilio signed), else the forwarded scheme and host of the request.
 */
export function publicBaseUrl(publicUrl: string | undefined, headers: IncomingHttpHeaders, encrypted: boolean): string {
  if (publicUrl) return publicUrl;
  const forwardedProto = firstHeader(headers['x-forwarded-proto'])?.split(',')[0]?.trim();
  const proto = forwardedProto ?? (encrypted ? 'https' : 'http');
  const host = firstHeader(headers['x-forwarded-host'])?.split(',')[0]?.trim() ?? headers.host ?? 'localhost';
  return `${proto}://${host}`;
}

/** `https://h` -> `wss://h/twilio/media`, `http://h` -> `ws://h/twilio/media`. */
export function mediaStreamUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}${MEDIA_STREAM_PATH}`;
}

/** HTTP webhook: the full URL Twilio requested and the POST parameters, via the SDK's validateRequest. */
export function isValidWebhookSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  return validateRequest(authToken, signature, url, params);
}

/**
 * WebSocket upgrade: Twilio signs the stream URL exactly as written in the TwiML, with no
 * parameters. Not spelled out officially; the same URL with a trailing slash is accepted too.
 */
export function isValidUpgradeSignature(authToken: string, signature: string | undefined, streamUrl: string): boolean {
  if (!signature) return false;
  return [streamUrl, `${streamUrl}/`].some((url) => validateRequest(authToken, signature, url, {}));
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
