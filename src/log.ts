import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Keys whose values never reach a log line: credentials, and the personal data
 * (phone numbers, what callers said) that operators read through the API instead.
 * Raw audio is never passed to the logger at all; `payload`/`audio`/`delta` are here as a net.
 */
const SENSITIVE_KEYS = [
  'apiKey',
  'authToken',
  'authorization',
  'Authorization',
  'token',
  'secret',
  'signature',
  'password',
  'transcript',
  'text',
  'from',
  'to',
  'caller',
  'payload',
  'audio',
  'delta',
];

const REDACT_PATHS = [
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers.cookie',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'callbridge' },
    },
    destination,
  );
}

/** A logger that writes nothing, for tests and tools that want quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
