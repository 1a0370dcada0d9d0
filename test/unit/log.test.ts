import { describe, expect, it } from 'vitest';
import { captureLog } from '../support/log-capture.js';
import { createLogger, silentLogger } from '../../src/log.js';


const REDACTED = '[redacted]';
const SENSITIVE = ['apiKey', 'authorization', 'token', 'transcript', 'text', 'from', 'to', 'payload', 'audio', 'delta'] as const;

describe('createLogger', () => {
  it('writes one JSON line per call with level, message, service and fields', () => {
    const { stream, lines } = captureLog();
    const logger = createLogger('info', stream);
    logger.info({ callSid: 'CA1', audioEndMs: 1500 }, 'call started');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'call started', service: 'callbridge', callSid: 'CA1', audioEndMs: 1500 });
    expect(lines[0]).toHaveProperty('time');
  });

  it('drops lines below its level', () => {
    const { stream, lines } = captureLog();
    const logger = createLogger('warn', stream);
    logger.info('quiet');
    logger.debug('quieter');
    logger.warn('loud');
    expect(lines.map((line) => line.msg)).toEqual(['loud']);
  });

  it.each(SENSITIVE)('censors %s at the top level', (key) => {
    const { stream, lines } = captureLog();
    createLogger('info', stream).info({ [key]: 'SECRET-VALUE', callSid: 'CA1' }, 'event');
    expect(lines[0]).toMatchObject({ [key]: REDACTED, callSid: 'CA1' });
    expect(JSON.stringify(lines)).not.toContain('SECRET-VALUE');
  });

  it.each(SENSITIVE)('censors %s one level deep', (key) => {
    const { stream, lines } = captureLog();
    createLogger('info', stream).info({ nested: { [key]: 'SECRET-VALUE', itemId: 'item_1' } }, 'event');
    expect(lines[0]?.nested).toEqual({ [key]: REDACTED, itemId: 'item_1' });
    expect(JSON.stringify(lines)).not.toContain('SECRET-VALUE');
  });

  it('censors the other credential keys too', () => {
    const { stream, lines } = captureLog();
    createLogger('info', stream).info(
      { authToken: 'a1', Authorization: 'a2', secret: 'a3', signature: 'a4', password: 'a5', caller: 'a6' },
      'event',
    );
    expect(lines[0]).toMatchObject({
      authToken: REDACTED,
      Authorization: REDACTED,
      secret: REDACTED,
      signature: REDACTED,
      password: REDACTED,
      caller: REDACTED,
    });
  });

  it('censors non-string values under sensitive keys', () => {
    const { stream, lines } = captureLog();
    createLogger('info', stream).info({ audio: [1, 2, 3], payload: { bytes: 160 }, to: 14155550100 }, 'event');
    expect(lines[0]).toMatchObject({ audio: REDACTED, payload: REDACTED, to: REDACTED });
  });

  it('censors request headers that carry credentials', () => {
    const { stream, lines } = captureLog();
    createLogger('info', stream).info(
      {
        req: {
          method: 'POST',
          headers: { authorization: 'Bearer op-token', 'x-twilio-signature': 'sig=', cookie: 'session=1', host: 'h.example.com' },
        },
      },
      'request',
    );
    expect(lines[0]?.req).toEqual({
      method: 'POST',
      headers: { authorization: REDACTED, 'x-twilio-signature': REDACTED, cookie: REDACTED, host: 'h.example.com' },
    });
  });

  it('leaves ordinary fields alone, including keys that merely contain a sensitive word', () => {
    const { stream, lines } = captureLog();
    createLogger('info', stream).info({ callSid: 'CA1', itemId: 'item_1', status: 'completed', textLength: 12 }, 'event');
    expect(lines[0]).toMatchObject({ callSid: 'CA1', itemId: 'item_1', status: 'completed', textLength: 12 });
  });

  it('applies redaction to child loggers and their bindings', () => {
    const { stream, lines } = captureLog();
    const child = createLogger('info', stream).child({ callSid: 'CA1', from: '+14155550100' });
    child.info({ transcript: 'my card number is 4111' }, 'turn');
    expect(lines[0]).toMatchObject({ callSid: 'CA1', transcript: REDACTED, msg: 'turn' });
    expect(JSON.stringify(lines)).not.toContain('4111');
    expect(JSON.stringify(lines)).not.toContain('+14155550100');
  });

  it('does not modify the object it logs', () => {
    const { stream } = captureLog();
    const fields = { token: 'abc', nested: { text: 'hello' } };
    createLogger('info', stream).info(fields, 'event');
    expect(fields).toEqual({ token: 'abc', nested: { text: 'hello' } });
  });
});

describe('silentLogger', () => {
  it('is a logger at level silent', () => {
    const logger = silentLogger();
    expect(logger.level).toBe('silent');
    expect(logger.isLevelEnabled('error')).toBe(false);
    expect(() => logger.error({ token: 'x' }, 'nothing')).not.toThrow();
  });
});
