import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GREETING, DEFAULT_INSTRUCTIONS, loadConfig, type Config } from '../../src/config.js';
import { CallbridgeError, ConfigError } from '../../src/errors.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789ABCDEF';
const REQUIRED = {
  OPENAI_API_KEY: 'sk-test-key-0123456789',
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: 'twilio-auth-token-0123456789',
};

type Env = Record<string, string | undefined>;

/** The ConfigError that loadConfig throws for `env`; fails the test if it does not throw one. */
function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig defaults', () => {
  it('fills every default when only the required variables are set', () => {
    const expected: Config = {
      port: 8080,
      host: '0.0.0.0',
      publicUrl: undefined,
      openai: {
        apiKey: REQUIRED.OPENAI_API_KEY,
        baseUrl: 'https://api.openai.com/v1',
        realtimeUrl: 'wss://api.openai.com/v1/realtime',
        realtimeModel: 'gpt-realtime',
        voice: 'marin',
        audioFormat: 'audio/pcm',
        transcriptionModel: 'gpt-4o-transcribe',
        summaryModel: 'gpt-4.1-mini',
      },
      twilio: { accountSid: ACCOUNT_SID, authToken: REQUIRED.TWILIO_AUTH_TOKEN, phoneNumber: undefined, apiBaseUrl: 'https://api.twilio.com' },
      outbound: { onMachine: 'hang-up' },
      ngrokAuthtoken: undefined,
      bot: { instructions: DEFAULT_INSTRUCTIONS, greeting: DEFAULT_GREETING, handoffNumber: undefined },
      tools: { file: undefined, secret: undefined },
      instances: { heartbeatMs: 10_000, orphanAfterMs: 30_000 },
      mediaStreamTimeoutMs: 30_000,
      mediaSilenceTimeoutMs: 10_000,
      redaction: ['cards', 'ssn'],
      turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 },
      noiseReduction: undefined,
      realtimeSession: { maxDurationMs: 55 * 60_000, reconnectAttempts: 5, pingIntervalMs: 5000, pongTimeoutMs: 5000 },
      summary: { triggerTokens: 12_000, keepTurns: 6, language: undefined, webhookUrl: undefined, webhookSecret: undefined },
      store: { databaseUrl: undefined, dataDir: './data' },
      operatorToken: undefined,
      retentionDays: undefined,
      instanceId: `${hostname()}:8080`,
      shutdownTimeoutMs: 30_000,
      logLevel: 'info',
    };
    expect(loadConfig(REQUIRED)).toEqual(expected);
  });

  it('treats empty strings as unset, for optional and required variables alike', () => {
    const empty: Env = {
      ...REQUIRED,
      PORT: '',
      HOST: '',
      PUBLIC_URL: '',
      OPENAI_BASE_URL: '',
      OPENAI_REALTIME_URL: '',
      REALTIME_VOICE: '',
      VAD_THRESHOLD: '',
      OPERATOR_TOKEN: '',
      DATABASE_URL: '',
      HANDOFF_NUMBER: '',
      SUMMARY_WEBHOOK_URL: '',
      TURN_DETECTION: '',
      NOISE_REDUCTION: '',
      LOG_LEVEL: '',
      INSTANCE_ID: '',
    };
    expect(loadConfig(empty)).toEqual(loadConfig(REQUIRED));
    const missing = configError({ ...REQUIRED, OPENAI_API_KEY: '' });
    expect(missing.problems).toEqual([expect.stringMatching(/^OPENAI_API_KEY is required/)]);
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ ...REQUIRED, PATH: '/usr/bin', HOME: '/root', SOMETHING_ELSE: 'x' })).toEqual(loadConfig(REQUIRED));
  });

  it('reads every setting it is given', () => {
    const config = loadConfig({
      ...REQUIRED,
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_URL: 'https://bridge.example.com',
      OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1',
      OPENAI_REALTIME_URL: 'ws://127.0.0.1:9999/v1/realtime',
      REALTIME_MODEL: 'gpt-realtime-mini',
      REALTIME_VOICE: 'cedar',
      REALTIME_AUDIO_FORMAT: 'audio/pcmu',
      TRANSCRIPTION_MODEL: 'gpt-4o-mini-transcribe',
      SUMMARY_MODEL: 'gpt-4.1',
      SUMMARY_LANGUAGE: 'de',
      BOT_INSTRUCTIONS: 'Be brief.',
      BOT_GREETING: 'Say hi.',
      HANDOFF_NUMBER: '+14155550100',
      VAD_THRESHOLD: '0.7',
      VAD_PREFIX_PADDING_MS: '200',
      VAD_SILENCE_DURATION_MS: '800',
      REALTIME_MAX_SESSION_MINUTES: '30.5',
      REALTIME_RECONNECT_ATTEMPTS: '0',
      SUMMARY_TRIGGER_TOKENS: '20000',
      SUMMARY_KEEP_TURNS: '4',
      SUMMARY_WEBHOOK_URL: 'https://hooks.example.com/summary/',
      SUMMARY_WEBHOOK_SECRET: 'webhook-secret-0123456789',
      OPERATOR_TOKEN: 'operator-token-0123456789',
      DATABASE_URL: 'postgresql://user:pw@db.example.com:5432/callbridge',
      DATA_DIR: '/var/lib/callbridge',
      RETENTION_DAYS: '90',
      INSTANCE_ID: 'bridge-1',
      SHUTDOWN_TIMEOUT_SECONDS: '5',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      publicUrl: 'https://bridge.example.com',
      openai: {
        baseUrl: 'http://127.0.0.1:9999/v1',
        realtimeUrl: 'ws://127.0.0.1:9999/v1/realtime',
        realtimeModel: 'gpt-realtime-mini',
        voice: 'cedar',
        audioFormat: 'audio/pcmu',
        transcriptionModel: 'gpt-4o-mini-transcribe',
        summaryModel: 'gpt-4.1',
      },
      bot: { instructions: 'Be brief.', greeting: 'Say hi.', handoffNumber: '+14155550100' },
      turnDetection: { type: 'server_vad', threshold: 0.7, prefixPaddingMs: 200, silenceDurationMs: 800 },
      realtimeSession: { maxDurationMs: 1_830_000, reconnectAttempts: 0 },
      summary: {
        triggerTokens: 20_000,
        keepTurns: 4,
        language: 'de',
        webhookUrl: 'https://hooks.example.com/summary',
        webhookSecret: 'webhook-secret-0123456789',
      },
      store: { databaseUrl: 'postgresql://user:pw@db.example.com:5432/callbridge', dataDir: '/var/lib/callbridge' },
      operatorToken: 'operator-token-0123456789',
      retentionDays: 90,
      instanceId: 'bridge-1',
      shutdownTimeoutMs: 5000,
      logLevel: 'debug',
    });
  });

  it('derives the instance id from the host name and port', () => {
    expect(loadConfig({ ...REQUIRED, PORT: '3000' }).instanceId).toBe(`${hostname()}:3000`);
  });
});

describe('loadConfig URLs', () => {
  it('strips trailing slashes from PUBLIC_URL and OPENAI_BASE_URL', () => {
    const config = loadConfig({ ...REQUIRED, PUBLIC_URL: 'https://abc.ngrok.app/', OPENAI_BASE_URL: 'http://localhost:9000/v1//' });
    expect(config.publicUrl).toBe('https://abc.ngrok.app');
    expect(config.openai.baseUrl).toBe('http://localhost:9000/v1');
  });

  it('accepts an http PUBLIC_URL for local runs', () => {
    expect(loadConfig({ ...REQUIRED, PUBLIC_URL: 'http://localhost:8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('accepts ws:// and wss:// realtime URLs', () => {
    expect(loadConfig({ ...REQUIRED, OPENAI_REALTIME_URL: 'ws://127.0.0.1:7000/v1/realtime' }).openai.realtimeUrl).toBe(
      'ws://127.0.0.1:7000/v1/realtime',
    );
    expect(loadConfig({ ...REQUIRED, OPENAI_REALTIME_URL: 'wss://proxy.example.com/realtime' }).openai.realtimeUrl).toBe(
      'wss://proxy.example.com/realtime',
    );
  });
});

describe('loadConfig turn detection', () => {
  it('selects semantic VAD with the default eagerness', () => {
    expect(loadConfig({ ...REQUIRED, TURN_DETECTION: 'semantic_vad' }).turnDetection).toEqual({
      type: 'semantic_vad',
      eagerness: 'auto',
    });
  });

  it('selects semantic VAD with a given eagerness and ignores the server VAD numbers', () => {
    expect(
      loadConfig({ ...REQUIRED, TURN_DETECTION: 'semantic_vad', VAD_EAGERNESS: 'high', VAD_THRESHOLD: '0.9' }).turnDetection,
    ).toEqual({ type: 'semantic_vad', eagerness: 'high' });
  });

  it('maps NOISE_REDUCTION to the model setting, with off as undefined', () => {
    expect(loadConfig({ ...REQUIRED, NOISE_REDUCTION: 'off' }).noiseReduction).toBeUndefined();
    expect(loadConfig({ ...REQUIRED, NOISE_REDUCTION: 'near_field' }).noiseReduction).toBe('near_field');
    expect(loadConfig({ ...REQUIRED, NOISE_REDUCTION: 'far_field' }).noiseReduction).toBe('far_field');
    expect(configError({ ...REQUIRED, NOISE_REDUCTION: 'on' }).problems).toEqual([expect.stringMatching(/^NOISE_REDUCTION /)]);
  });

  it('rejects an unknown turn detection or eagerness', () => {
    const error = configError({ ...REQUIRED, TURN_DETECTION: 'client_vad', VAD_EAGERNESS: 'eager' });
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toMatch(/^TURN_DETECTION /);
    expect(error.problems[1]).toMatch(/^VAD_EAGERNESS /);
  });
});

describe('loadConfig errors', () => {
  it('lists every missing required variable in one ConfigError', () => {
    const error = configError({});
    expect(error).toBeInstanceOf(CallbridgeError);
    expect(error.code).toBe('config_invalid');
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual([
      expect.stringMatching(/^OPENAI_API_KEY is required: /),
      expect.stringMatching(/^TWILIO_ACCOUNT_SID is required: /),
      expect.stringMatching(/^TWILIO_AUTH_TOKEN is required: /),
    ]);
    for (const name of ['OPENAI_API_KEY', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']) {
      expect(error.message).toContain(`  - ${name} is required`);
    }
  });

  it('lists missing and invalid variables together', () => {
    const error = configError({ TWILIO_ACCOUNT_SID: 'AC123', PORT: 'eighty' });
    expect(error.problems).toEqual([
      'PORT must be a number (got "eighty")',
      expect.stringMatching(/^OPENAI_API_KEY is required/),
      'TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits (got "AC123")',
      expect.stringMatching(/^TWILIO_AUTH_TOKEN is required/),
    ]);
  });

  it.each([
    ['PORT', 'abc', 'PORT must be a number (got "abc")'],
    ['PORT', '8080.5', 'PORT must be a whole number (got "8080.5")'],
    ['PORT', '70000', 'PORT must be at most 65535 (got "70000")'],
    ['PORT', '-1', 'PORT must be at least 0 (got "-1")'],
    ['PUBLIC_URL', 'ftp://example.com', 'PUBLIC_URL must be an http:// or https:// URL (got "ftp://example.com")'],
    ['PUBLIC_URL', 'example.com', 'PUBLIC_URL must be an http:// or https:// URL (got "example.com")'],
    [
      'OPENAI_REALTIME_URL',
      'https://api.openai.com/v1/realtime',
      'OPENAI_REALTIME_URL must be a ws:// or wss:// URL (got "https://api.openai.com/v1/realtime")',
    ],
    ['TWILIO_ACCOUNT_SID', 'AC123', 'TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits (got "AC123")'],
    [
      'TWILIO_ACCOUNT_SID',
      `SK${'0'.repeat(32)}`,
      `TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits (got "SK${'0'.repeat(32)}")`,
    ],
    ['VAD_THRESHOLD', '1.5', 'VAD_THRESHOLD must be between 0 and 1 (got "1.5")'],
    ['VAD_THRESHOLD', '-0.1', 'VAD_THRESHOLD must be between 0 and 1 (got "-0.1")'],
    ['VAD_THRESHOLD', 'loud', 'VAD_THRESHOLD must be a number (got "loud")'],
    ['HANDOFF_NUMBER', '4155550100', 'HANDOFF_NUMBER must be an E.164 number like +14155550100 (got "4155550100")'],
    [
      'REALTIME_MAX_SESSION_MINUTES',
      '90',
      'REALTIME_MAX_SESSION_MINUTES must be at most 60 (the service limit) (got "90")',
    ],
  ])('reports %s=%j as %j', (name, value, message) => {
    expect(configError({ ...REQUIRED, [name]: value }).problems).toEqual([message]);
  });

  it('accepts the edges of the numeric ranges', () => {
    const config = loadConfig({ ...REQUIRED, PORT: '65535', VAD_THRESHOLD: '0', REALTIME_MAX_SESSION_MINUTES: '60' });
    expect(config.port).toBe(65535);
    expect(config.turnDetection).toMatchObject({ threshold: 0 });
    expect(config.realtimeSession.maxDurationMs).toBe(3_600_000);
    expect(loadConfig({ ...REQUIRED, VAD_THRESHOLD: '1' }).turnDetection).toMatchObject({ threshold: 1 });
  });

  it('never echoes a secret value in its messages', () => {
    const operatorToken = 'tooShortSecret';
    const webhookSecret = 'hookSecret9';
    const error = configError({
      ...REQUIRED,
      OPERATOR_TOKEN: operatorToken,
      SUMMARY_WEBHOOK_URL: 'https://hooks.example.com/x',
      SUMMARY_WEBHOOK_SECRET: webhookSecret,
    });
    expect(error.problems).toEqual([
      'SUMMARY_WEBHOOK_SECRET must be at least 16 characters',
      'OPERATOR_TOKEN must be at least 16 characters (try: openssl rand -hex 24)',
    ]);
    for (const text of [error.message, ...error.problems]) {
      expect(text).not.toContain(operatorToken);
      expect(text).not.toContain(webhookSecret);
    }
  });

  it('does not echo the API key or auth token when another variable is invalid', () => {
    const error = configError({ ...REQUIRED, PORT: 'x' });
    expect(error.message).not.toContain(REQUIRED.OPENAI_API_KEY);
    expect(error.message).not.toContain(REQUIRED.TWILIO_AUTH_TOKEN);
  });

  it('requires SUMMARY_WEBHOOK_SECRET when SUMMARY_WEBHOOK_URL is set', () => {
    const error = configError({ ...REQUIRED, SUMMARY_WEBHOOK_URL: 'https://hooks.example.com/summary' });
    expect(error.problems).toEqual([
      'SUMMARY_WEBHOOK_SECRET is required when SUMMARY_WEBHOOK_URL is set: it signs each delivery',
    ]);
    expect(
      loadConfig({
        ...REQUIRED,
        SUMMARY_WEBHOOK_URL: 'https://hooks.example.com/summary',
        SUMMARY_WEBHOOK_SECRET: '0123456789abcdef',
      }).summary.webhookSecret,
    ).toBe('0123456789abcdef');
  });

  it('lists a missing webhook secret together with every other problem', () => {
    const error = configError({ ...REQUIRED, PORT: 'x', SUMMARY_WEBHOOK_URL: 'https://hooks.example.com/summary' });
    expect(error.problems).toEqual([
      'PORT must be a number (got "x")',
      'SUMMARY_WEBHOOK_SECRET is required when SUMMARY_WEBHOOK_URL is set: it signs each delivery',
    ]);
  });

  it('treats blank values as unset and reads only plain decimal numbers', () => {
    expect(loadConfig({ ...REQUIRED, PORT: ' ', SHUTDOWN_TIMEOUT_SECONDS: '  ' })).toMatchObject({
      port: 8080,
      shutdownTimeoutMs: 30_000,
    });
    expect(configError({ ...REQUIRED, PORT: '0x50' }).problems).toEqual(['PORT must be a number (got "0x50")']);
    expect(loadConfig({ ...REQUIRED, VAD_THRESHOLD: ' 0.7 ' }).turnDetection).toMatchObject({ threshold: 0.7 });
  });

  it('never echoes credentials embedded in URLs', () => {
    const problems = configError({
      ...REQUIRED,
      DATABASE_URL: 'mysql://app:hunter2@db.example.com/callbridge',
      OPENAI_BASE_URL: 'ftp://user:s3cret@proxy.example.com',
    }).problems.join('\n');
    expect(problems).toContain('DATABASE_URL must be a postgres:// URL');
    expect(problems).toContain('OPENAI_BASE_URL must be an http:// or https:// URL (got "ftp://***@proxy.example.com")');
    expect(problems).not.toMatch(/hunter2|s3cret/);
  });

  it('rejects a non-postgres DATABASE_URL', () => {
    const [problem] = configError({ ...REQUIRED, DATABASE_URL: 'mysql://db.example.com/callbridge' }).problems;
    expect(problem).toMatch(/^DATABASE_URL must be a postgres:\/\/ URL/);
  });
});

describe('loadConfig result', () => {
  it('is deeply frozen', () => {
    const config = loadConfig({ ...REQUIRED, SUMMARY_WEBHOOK_URL: 'https://h.example.com', SUMMARY_WEBHOOK_SECRET: '0123456789abcdef' });
    expect(Object.isFrozen(config)).toBe(true);
    for (const child of [config.openai, config.twilio, config.bot, config.turnDetection, config.realtimeSession, config.summary, config.store]) {
      expect(Object.isFrozen(child)).toBe(true);
    }
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.openai as { apiKey: string }).apiKey = 'stolen';
    }).toThrow(TypeError);
    expect(config.port).toBe(8080);
    expect(config.openai.apiKey).toBe(REQUIRED.OPENAI_API_KEY);
  });

  it('does not freeze or modify the env object it was given', () => {
    const env: Env = { ...REQUIRED, PUBLIC_URL: 'https://x.example.com/' };
    loadConfig(env);
    expect(Object.isFrozen(env)).toBe(false);
    expect(env).toEqual({ ...REQUIRED, PUBLIC_URL: 'https://x.example.com/' });
  });
});
