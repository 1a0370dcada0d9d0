import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  MEDIA_STREAM_PATH,
  isValidUpgradeSignature,
  isValidWebhookSignature,
  mediaStreamUrl,
  publicBaseUrl,
} from '../../../src/telephony/signature.js';

/* The known-answer example of docs/protocols.md 1.4. */
const KNOWN_TOKEN = '12345';
const KNOWN_URL = 'https://example.com/myapp.php?foo=1&bar=2';
const KNOWN_PARAMS: Record<string, string> = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675310',
  Digits: '1234',
  From: '+14158675310',
  To: '+18005551212',
};
const KNOWN_SIGNATURE = 'L/OH5YylLD5NRKLltdqwSvS0BnU=';

describe('isValidWebhookSignature', () => {
  it('agrees with the known answer (and twilio computes the same answer independently)', () => {
    expect(twilio.getExpectedTwilioSignature(KNOWN_TOKEN, KNOWN_URL, KNOWN_PARAMS)).toBe(KNOWN_SIGNATURE);
    expect(isValidWebhookSignature(KNOWN_TOKEN, KNOWN_SIGNATURE, KNOWN_URL, KNOWN_PARAMS)).toBe(true);
  });

  it('does not depend on the order the parameters arrive in', () => {
    const reversed = Object.fromEntries(Object.entries(KNOWN_PARAMS).reverse());
    expect(isValidWebhookSignature(KNOWN_TOKEN, KNOWN_SIGNATURE, KNOWN_URL, reversed)).toBe(true);
  });

  it.each(Object.keys(KNOWN_PARAMS))('fails when parameter %s changes', (name) => {
    const changed = { ...KNOWN_PARAMS, [name]: `${KNOWN_PARAMS[name]}0` };
    expect(isValidWebhookSignature(KNOWN_TOKEN, KNOWN_SIGNATURE, KNOWN_URL, changed)).toBe(false);
  });

  it('fails with an added or a removed parameter', () => {
    expect(isValidWebhookSignature(KNOWN_TOKEN, KNOWN_SIGNATURE, KNOWN_URL, { ...KNOWN_PARAMS, CallStatus: 'ringing' })).toBe(false);
    const { Digits: _digits, ...withoutDigits } = KNOWN_PARAMS;
    expect(isValidWebhookSignature(KNOWN_TOKEN, KNOWN_SIGNATURE, KNOWN_URL, withoutDigits)).toBe(false);
  });

  it.each([
    ['another query value', 'https://example.com/myapp.php?foo=1&bar=3'],
    ['another path', 'https://example.com/other.php?foo=1&bar=2'],
    ['another host', 'https://example.org/myapp.php?foo=1&bar=2'],
    ['http instead of https', 'http://example.com/myapp.php?foo=1&bar=2'],
    ['a local URL', 'http://localhost:8080/myapp.php?foo=1&bar=2'],
    ['no query string', 'https://example.com/myapp.php'],
  ])('fails with %s in the URL', (_name, url) => {
    expect(isValidWebhookSignature(KNOWN_TOKEN, KNOWN_SIGNATURE, url, KNOWN_PARAMS)).toBe(false);
  });

  it('fails with a wrong token', () => {
    expect(isValidWebhookSignature('12346', KNOWN_SIGNATURE, KNOWN_URL, KNOWN_PARAMS)).toBe(false);
  });

  it('fails with a missing, empty or tampered signature', () => {
    expect(isValidWebhookSignature(KNOWN_TOKEN, undefined, KNOWN_URL, KNOWN_PARAMS)).toBe(false);
    expect(isValidWebhookSignature(KNOWN_TOKEN, '', KNOWN_URL, KNOWN_PARAMS)).toBe(false);
    expect(isValidWebhookSignature(KNOWN_TOKEN, 'L/OH5YylLD5NRKLltdqwSvS0BnV=', KNOWN_URL, KNOWN_PARAMS)).toBe(false);
    expect(isValidWebhookSignature(KNOWN_TOKEN, 'short', KNOWN_URL, KNOWN_PARAMS)).toBe(false);
  });
});

describe('publicBaseUrl', () => {
  it('prefers PUBLIC_URL over every header', () => {
    const headers = { host: 'localhost:8080', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'proxy.internal' };
    expect(publicBaseUrl('https://bridge.example.com', headers, false)).toBe('https://bridge.example.com');
  });

  it('uses X-Forwarded-Proto and X-Forwarded-Host when there is no PUBLIC_URL', () => {
    const headers = { host: 'localhost:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'abc.ngrok.app' };
    expect(publicBaseUrl(undefined, headers, false)).toBe('https://abc.ngrok.app');
  });

  it('takes the first value of comma-separated forwarded headers', () => {
    const headers = {
      host: 'localhost:8080',
      'x-forwarded-proto': 'https, http',
      'x-forwarded-host': 'public.example.com, internal.example.com',
    };
    expect(publicBaseUrl(undefined, headers, false)).toBe('https://public.example.com');
  });

  it('falls back to the Host header when there is no X-Forwarded-Host', () => {
    expect(publicBaseUrl(undefined, { host: 'bridge.example.com', 'x-forwarded-proto': 'https' }, false)).toBe(
      'https://bridge.example.com',
    );
  });

  it('derives the scheme from the socket when there is no X-Forwarded-Proto', () => {
    expect(publicBaseUrl(undefined, { host: '127.0.0.1:8080' }, false)).toBe('http://127.0.0.1:8080');
    expect(publicBaseUrl(undefined, { host: 'bridge.example.com' }, true)).toBe('https://bridge.example.com');
  });

  it('lets X-Forwarded-Proto win over the socket encryption', () => {
    expect(publicBaseUrl(undefined, { host: 'h.example.com', 'x-forwarded-proto': 'http' }, true)).toBe('http://h.example.com');
  });

  it('treats an empty PUBLIC_URL as unset', () => {
    expect(publicBaseUrl('', { host: 'h.example.com' }, true)).toBe('https://h.example.com');
  });
});

describe('mediaStreamUrl', () => {
  it('maps https to wss and http to ws, appending the media path', () => {
    expect(MEDIA_STREAM_PATH).toBe('/twilio/media');
    expect(mediaStreamUrl('https://bridge.example.com')).toBe('wss://bridge.example.com/twilio/media');
    expect(mediaStreamUrl('http://localhost:8080')).toBe('ws://localhost:8080/twilio/media');
  });

  it('only rewrites the scheme, not "http" elsewhere in the URL', () => {
    expect(mediaStreamUrl('https://http.example.com')).toBe('wss://http.example.com/twilio/media');
  });
});

describe('isValidUpgradeSignature', () => {
  const token = 'f00dfeedf00dfeedf00dfeedf00dfeed';
  const streamUrl = 'wss://bridge.example.com/twilio/media';
  const sign = (url: string, authToken = token) => twilio.getExpectedTwilioSignature(authToken, url, {});

  it('accepts a signature of the exact stream URL', () => {
    expect(isValidUpgradeSignature(token, sign(streamUrl), streamUrl)).toBe(true);
  });

  it('accepts a signature of the stream URL with a trailing slash', () => {
    expect(isValidUpgradeSignature(token, sign(`${streamUrl}/`), streamUrl)).toBe(true);
  });

  it.each([
    ['another host', 'wss://evil.example.com/twilio/media'],
    ['another path', 'wss://bridge.example.com/twilio/media2'],
    ['ws instead of wss', 'ws://bridge.example.com/twilio/media'],
    ['https instead of wss', 'https://bridge.example.com/twilio/media'],
    ['a query string', 'wss://bridge.example.com/twilio/media?callSid=CA1'],
    ['two trailing slashes', 'wss://bridge.example.com/twilio/media//'],
  ])('rejects a signature of %s', (_name, signedUrl) => {
    expect(isValidUpgradeSignature(token, sign(signedUrl), streamUrl)).toBe(false);
  });

  it('rejects a signature made with another token', () => {
    expect(isValidUpgradeSignature(token, sign(streamUrl, 'another-token'), streamUrl)).toBe(false);
  });

  it('rejects a signature that covers parameters', () => {
    const signed = twilio.getExpectedTwilioSignature(token, streamUrl, { CallSid: 'CA1' });
    expect(isValidUpgradeSignature(token, signed, streamUrl)).toBe(false);
  });

  it('rejects a missing or empty signature', () => {
    expect(isValidUpgradeSignature(token, undefined, streamUrl)).toBe(false);
    expect(isValidUpgradeSignature(token, '', streamUrl)).toBe(false);
  });
});
