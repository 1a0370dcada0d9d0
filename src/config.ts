import { hostname } from 'node:os';
import type { ModelAudioFormat } from './audio/model-codec.js';
import { z } from 'zod';
import { parseRedactSetting, type RedactionRuleName } from './conversation/redaction.js';
import { ConfigError } from './errors.js';
import type { TurnDetection } from './realtime/session-config.js';

export interface Config {
  port: number;
  host: string;
  /** Public base URL Twilio reaches us at, without a trailing slash; undefined: derive from the request. */
  publicUrl: string | undefined;
  openai: {
    apiKey: string;
    baseUrl: string;
    realtimeUrl: string;
    realtimeModel: string;
    voice: string;
    /** What the model side carries: PCM16 24 kHz (transcoded, best quality) or G.711 mu-law 8 kHz untouched (least CPU). */
    audioFormat: ModelAudioFormat;
    transcriptionModel: string;
    summaryModel: string;
  };
  twilio: {
    accountSid: string;
    authToken: string;
    /** The number callbridge answers and places calls from (E.164); undefined: not set up yet. */
    phoneNumber: string | undefined;
    /** Base of Twilio's REST API, without a trailing slash; changed only to test against a simulator. */
    apiBaseUrl: string;
  };
  /** Outbound calls: what to do when answering-machine detection says a machine picked up. */
  outbound: { onMachine: 'hang-up' | 'leave-message' };
  /** `callbridge dev --tunnel`'s ngrok credentials; undefined: no tunnel of our own. */
  ngrokAuthtoken: string | undefined;
  bot: { instructions: string; greeting: string; handoffNumber: string | undefined };
  /** HTTP tools the bot may call (TOOLS_FILE), and the secret that signs their requests. */
  tools: { file: string | undefined; secret: string | undefined };
  turnDetection: TurnDetection;
  /** Model-side input noise reduction; undefined: off. */
  noiseReduction: 'near_field' | 'far_field' | undefined;
  realtimeSession: { maxDurationMs: number; reconnectAttempts: number; pingIntervalMs: number; pongTimeoutMs: number };
  summary: {
    triggerTokens: number;
    keepTurns: number;
    language: string | undefined;
    webhookUrl: string | undefined;
    webhookSecret: string | undefined;
  };
  store: { databaseUrl: string | undefined; dataDir: string };
  operatorToken: string | undefined;
  retentionDays: number | undefined;
  /** What is hidden from every transcript before it is stored, summarized, delivered or logged. */
  redaction: RedactionRuleName[];
  instanceId: string;
  /** Several instances on one database: how often an owner marks its calls alive, and when silence means dead. */
  instances: { heartbeatMs: number; orphanAfterMs: number };
  /** A call whose media stream has not reached this instance this long after its webhook is given up here. */
  mediaStreamTimeoutMs: number;
  /** A stream with no frame from Twilio for this long is dead: the call ends as interrupted. */
  mediaSilenceTimeoutMs: number;
  shutdownTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export const DEFAULT_INSTRUCTIONS =
  'You are a friendly, concise phone assistant. Speak naturally in short sentences, ' +
  "answer in the caller's language, and never read out long lists. " +
  'If the caller asks for a human, or you cannot help, offer to transfer them.';

export const DEFAULT_GREETING = 'Greet the caller in one short sentence and ask how you can help.';

/** Blank values in .env files mean "unset", as they do for most twelve-factor tools. */
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

/** Plain decimal only: `z.coerce` alone would read "0x50" as 80. */
const number = (check: z.ZodNumber = z.number()) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(check);
const integer = (min: number, max: number) =>
  number(z.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .transform((url) => url.replace(/\/+$/, ''));
/** An http(s) URL without a trailing slash, for places that take one from outside (the CLI). */
export const httpUrlSchema = httpUrl;
const wsUrl = z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' });

/** Phone numbers in E.164, exported for the places that take one from outside (the API, the CLI). */
export const E164 = /^\+[1-9]\d{6,14}$/;
export const E164_MESSAGE = 'must be an E.164 number like +14155550100';

const required = (what: string) =>
  z.preprocess(
    blankToUndefined,
    z.string({ error: (issue) => (issue.input === undefined ? `is required: ${what}` : 'must be a string') }),
  );

const envSchema = z.object({
  PORT: optional(integer(0, 65535)).default(8080),
  HOST: optional(z.string()).default('0.0.0.0'),
  PUBLIC_URL: optional(httpUrl),
  OPENAI_API_KEY: required('your OpenAI API key (https://platform.openai.com/api-keys)'),
  OPENAI_BASE_URL: optional(httpUrl).default('https://api.openai.com/v1'),
  OPENAI_REALTIME_URL: optional(wsUrl).default('wss://api.openai.com/v1/realtime'),
  REALTIME_MODEL: optional(z.string()).default('gpt-realtime'),
  REALTIME_VOICE: optional(z.string()).default('marin'),
  REALTIME_AUDIO_FORMAT: optional(z.enum(['audio/pcm', 'audio/pcmu'])).default('audio/pcm'),
  TRANSCRIPTION_MODEL: optional(z.string()).default('gpt-4o-transcribe'),
  SUMMARY_MODEL: optional(z.string()).default('gpt-4.1-mini'),
  SUMMARY_LANGUAGE: optional(z.string()),
  TWILIO_ACCOUNT_SID: required('your Twilio Account SID (starts with AC)').pipe(
    z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits'),
  ),
  TWILIO_AUTH_TOKEN: required('your Twilio auth token; it validates webhook signatures'),
  TWILIO_PHONE_NUMBER: optional(z.string().regex(E164, E164_MESSAGE)),
  TWILIO_API_BASE_URL: optional(httpUrl).default('https://api.twilio.com'),
  ANSWERING_MACHINE: optional(z.enum(['hang-up', 'leave-message'])).default('hang-up'),
  NGROK_AUTHTOKEN: optional(z.string()),
  BOT_INSTRUCTIONS: optional(z.string()).default(DEFAULT_INSTRUCTIONS),
  BOT_GREETING: optional(z.string()).default(DEFAULT_GREETING),
  HANDOFF_NUMBER: optional(z.string().regex(E164, E164_MESSAGE)),
  TOOLS_FILE: optional(z.string()),
  TOOLS_SECRET: optional(z.string().min(16, 'must be at least 16 characters')),
  TURN_DETECTION: optional(z.enum(['server_vad', 'semantic_vad'])).default('server_vad'),
  VAD_THRESHOLD: optional(number(z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'))).default(0.5),
  VAD_PREFIX_PADDING_MS: optional(integer(0, 2000)).default(300),
  VAD_SILENCE_DURATION_MS: optional(integer(100, 5000)).default(500),
  VAD_EAGERNESS: optional(z.enum(['low', 'medium', 'high', 'auto'])).default('auto'),
  NOISE_REDUCTION: optional(z.enum(['off', 'near_field', 'far_field'])).default('off'),
  REALTIME_MAX_SESSION_MINUTES: optional(number(z.number().positive('must be positive').max(60, 'must be at most 60 (the service limit)'))).default(55),
  REALTIME_RECONNECT_ATTEMPTS: optional(integer(0, 20)).default(5),
  REALTIME_PING_INTERVAL_SECONDS: optional(number(z.number().min(0.1, 'must be at least 0.1').max(60, 'must be at most 60'))).default(5),
  REALTIME_PONG_TIMEOUT_SECONDS: optional(number(z.number().min(0.1, 'must be at least 0.1').max(60, 'must be at most 60'))).default(5),
  SUMMARY_TRIGGER_TOKENS: optional(integer(100, 1_000_000)).default(12_000),
  SUMMARY_KEEP_TURNS: optional(integer(1, 100)).default(6),
  SUMMARY_WEBHOOK_URL: optional(httpUrl),
  SUMMARY_WEBHOOK_SECRET: optional(z.string().min(16, 'must be at least 16 characters')),
  OPERATOR_TOKEN: optional(z.string().min(16, 'must be at least 16 characters (try: openssl rand -hex 24)')),
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })),
  DATA_DIR: optional(z.string()).default('./data'),
  RETENTION_DAYS: optional(integer(1, 36_500)),
  REDACT: optional(z.string()).transform((value, context) => {
    try {
      return parseRedactSetting(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error instanceof Error ? error.message : String(error)).replace(/^REDACT: /, '') });
      return z.NEVER;
    }
  }),
  INSTANCE_ID: optional(z.string()),
  HEARTBEAT_SECONDS: optional(integer(1, 300)).default(10),
  ORPHAN_AFTER_SECONDS: optional(integer(5, 3600)).default(30),
  MEDIA_STREAM_TIMEOUT_SECONDS: optional(integer(1, 600)).default(30),
  MEDIA_SILENCE_TIMEOUT_SECONDS: optional(number(z.number().min(0.5, 'must be at least 0.5').max(300, 'must be at most 300'))).default(10),
  SHUTDOWN_TIMEOUT_SECONDS: optional(integer(0, 3600)).default(30),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])).default('info'),
}).superRefine((env, context) => {
  if (env.ORPHAN_AFTER_SECONDS <= env.HEARTBEAT_SECONDS * 2) {
    context.addIssue({
      code: 'custom',
      path: ['ORPHAN_AFTER_SECONDS'],
      message: 'must be more than twice HEARTBEAT_SECONDS, or one late heartbeat ends a live call',
    });
  }
  if (env.SUMMARY_WEBHOOK_URL && !env.SUMMARY_WEBHOOK_SECRET) {
    context.addIssue({
      code: 'custom',
      path: ['SUMMARY_WEBHOOK_SECRET'],
      message: 'is required when SUMMARY_WEBHOOK_URL is set: it signs each delivery',
    });
  }
});

/** Every environment variable callbridge reads (.env.example documents each one). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

type Env = Record<string, string | undefined>;

/**
 * Parses the environment once into a frozen, typed Config.
 * Pure: the caller decides where `env` comes from (process.env plus .env, or a test's object).
 * @throws ConfigError listing every missing or invalid variable.
 */
export function loadConfig(env: Env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name} ${issue.message}${shownValue(name, env[name])}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const turnDetection: TurnDetection =
    e.TURN_DETECTION === 'semantic_vad'
      ? { type: 'semantic_vad', eagerness: e.VAD_EAGERNESS }
      : {
          type: 'server_vad',
          threshold: e.VAD_THRESHOLD,
          prefixPaddingMs: e.VAD_PREFIX_PADDING_MS,
          silenceDurationMs: e.VAD_SILENCE_DURATION_MS,
        };
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      realtimeUrl: e.OPENAI_REALTIME_URL,
      realtimeModel: e.REALTIME_MODEL,
      voice: e.REALTIME_VOICE,
      audioFormat: e.REALTIME_AUDIO_FORMAT,
      transcriptionModel: e.TRANSCRIPTION_MODEL,
      summaryModel: e.SUMMARY_MODEL,
    },
    twilio: {
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      phoneNumber: e.TWILIO_PHONE_NUMBER,
      apiBaseUrl: e.TWILIO_API_BASE_URL,
    },
    outbound: { onMachine: e.ANSWERING_MACHINE },
    ngrokAuthtoken: e.NGROK_AUTHTOKEN,
    bot: { instructions: e.BOT_INSTRUCTIONS, greeting: e.BOT_GREETING, handoffNumber: e.HANDOFF_NUMBER },
    tools: { file: e.TOOLS_FILE, secret: e.TOOLS_SECRET },
    turnDetection,
    noiseReduction: e.NOISE_REDUCTION === 'off' ? undefined : e.NOISE_REDUCTION,
    realtimeSession: {
      maxDurationMs: Math.round(e.REALTIME_MAX_SESSION_MINUTES * 60_000),
      reconnectAttempts: e.REALTIME_RECONNECT_ATTEMPTS,
      pingIntervalMs: Math.round(e.REALTIME_PING_INTERVAL_SECONDS * 1000),
      pongTimeoutMs: Math.round(e.REALTIME_PONG_TIMEOUT_SECONDS * 1000),
    },
    summary: {
      triggerTokens: e.SUMMARY_TRIGGER_TOKENS,
      keepTurns: e.SUMMARY_KEEP_TURNS,
      language: e.SUMMARY_LANGUAGE,
      webhookUrl: e.SUMMARY_WEBHOOK_URL,
      webhookSecret: e.SUMMARY_WEBHOOK_SECRET,
    },
    store: { databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR },
    operatorToken: e.OPERATOR_TOKEN,
    retentionDays: e.RETENTION_DAYS,
    redaction: e.REDACT,
    instanceId: e.INSTANCE_ID ?? `${hostname()}:${e.PORT}`,
    instances: { heartbeatMs: e.HEARTBEAT_SECONDS * 1000, orphanAfterMs: e.ORPHAN_AFTER_SECONDS * 1000 },
    mediaStreamTimeoutMs: e.MEDIA_STREAM_TIMEOUT_SECONDS * 1000,
    mediaSilenceTimeoutMs: Math.round(e.MEDIA_SILENCE_TIMEOUT_SECONDS * 1000),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
  };
  return deepFreeze(config);
}

/** The offending value, for the error message, unless it may hold a secret (keys, tokens, URL credentials). */
function shownValue(name: string, value: string | undefined): string {
  if (typeof value !== 'string' || /KEY|TOKEN|SECRET|DATABASE_URL/.test(name)) return '';
  return ` (got "${value.replace(/\/\/[^/@]*@/, '//***@')}")`;
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
