import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadResamplerEngine } from './audio/resampler.js';
import { observeCallMetrics, observeMediaStreamMetrics } from './call/call-metrics.js';
import { CallRecorder } from './call/call-recorder.js';
import { FeedRelay, LiveFeed } from './store/live-feed.js';
import { CallRegistry } from './call/call-registry.js';
import { CallSession } from './call/call-session.js';
import { handoffLookup } from './call/handoff-lookup.js';
import { HELD_AUDIO_LIMIT_MS, ModelLink, RECONNECT_BACKOFF, SESSION_READY_TIMEOUT_MS } from './call/model-link.js';
import { scriptedOpening } from './call/call-script.js';
import { OutboundDialer } from './call/outbound-dialer.js';
import type { Config } from './config.js';
import { OpenAiSummarizer } from './conversation/summarizer.js';
import { createApp } from './http/app.js';
import { JobRunner } from './jobs/job-runner.js';
import { Maintenance } from './jobs/maintenance.js';
import { postCallSummaryJob } from './jobs/post-call-summary.js';
import { summaryWebhookJob } from './jobs/summary-webhook.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { WsRealtimeConnection } from './realtime/connection.js';
import { buildSession } from './realtime/session-config.js';
import { CallStore } from './store/call-store.js';
import { POST_CALL_SUMMARY_JOB } from './store/job-kinds.js';
import { JobQueue } from './store/job-queue.js';
import { migrate } from './store/migrate.js';
import { openSqlClient } from './store/open-sql-client.js';
import type { SqlClient } from './store/sql-client.js';
import { MediaStreamServer } from './telephony/media-stream-server.js';
import { TwilioSdkRest } from './telephony/twilio-rest.js';
import { offeredTools } from './tools/builtin.js';
import { loadTools } from './tools/load.js';
import { Redactor, builtInRule } from './conversation/redaction.js';
import type { ToolRegistry } from './tools/registry.js';

export interface ServiceDeps {
  config: Readonly<Config>;
  logger: Logger;
  /** The business's tools; default: the code tools and TOOLS_FILE. */
  tools?: ToolRegistry;
  /**
   * The store's database, which the service then owns and closes; default: PostgreSQL at
   * DATABASE_URL, else the embedded one in DATA_DIR.
   */
  sqlClient?: SqlClient;
  collectProcessMetrics?: boolean;
}

export interface RunningService {
  /** http://host:port the server listens on (the real port when configured with 0). */
  url: string;
  port: number;
  registry: CallRegistry;
  metrics: Metrics;
  store: CallStore;
  feed: LiveFeed;
  /** Stops taking calls, waits for live ones up to the configured timeout, then closes everything. */
  close(): Promise<void>;
}

const APOLOGY_AUDIO_PATH = new URL('../assets/audio/technical-difficulties.ulaw', import.meta.url);
/**
 * At shutdown, after the live calls ended, how long their last records (endings, final turns) may
 * take to reach the store before they are given up and counted as unwritten.
 */
const RECORDS_FLUSH_TIMEOUT_MS = 5000;

/**
 * The composition root of a running callbridge: wires the store, the job runner, the calls, the
 * HTTP routes and the media-stream server together and listens. The only difference between
 * production and tests is `deps`.
 */
export async function startService(deps: ServiceDeps): Promise<RunningService> {
  const { config, logger } = deps;
  const now = () => performance.now();
  const metrics = new Metrics({ collectProcessMetrics: deps.collectProcessMetrics ?? false });
  const engine = await loadResamplerEngine();
  const apologyAudio = new Uint8Array(readFileSync(APOLOGY_AUDIO_PATH));
  const tools = deps.tools ?? loadTools(config.tools);
  const redactor = new Redactor(config.redaction.map(builtInRule));
  const redact = (text: string) => redactor.redact(text);
  const handoffEnabled = config.bot.handoffNumber !== undefined;
  const sessionFor = (instructions: string) => buildSession({
    model: config.openai.realtimeModel,
    voice: config.openai.voice,
    audioFormat: config.openai.audioFormat,
    instructions,
    transcriptionModel: config.openai.transcriptionModel,
    turnDetection: config.turnDetection,
    noiseReduction: config.noiseReduction,
    tools: offeredTools(tools.definitions(), { handoffEnabled }),
  });
  const session = sessionFor(config.bot.instructions);
  const summarizer = new OpenAiSummarizer({ apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.summaryModel });
  const realtimeConnection = {
    url: config.openai.realtimeUrl,
    model: config.openai.realtimeModel,
    apiKey: config.openai.apiKey,
    pingIntervalMs: config.realtimeSession.pingIntervalMs,
    pongTimeoutMs: config.realtimeSession.pongTimeoutMs,
  };

  const sqlClient =
    deps.sqlClient ?? (await openSqlClient({ databaseUrl: config.store.databaseUrl, dataDir: config.store.dataDir, logger }));
  await migrate(sqlClient, { logger });
  const store = new CallStore(sqlClient, { instanceId: config.instanceId });
  const jobs = new JobQueue(sqlClient);
  const orphans = await store.markOrphanedCalls(config.instanceId, { enqueue: [POST_CALL_SUMMARY_JOB] });
  if (orphans.length > 0) logger.warn({ calls: orphans.length }, 'calls left in progress by the previous run marked interrupted');
  const feed = new LiveFeed();
  const jobRunner = new JobRunner({
    queue: jobs,
    logger,
    metrics,
    handlers: [
      postCallSummaryJob({
        store,
        jobs,
        summarizer,
        language: config.summary.language,
        deliverWebhook: config.summary.webhookUrl !== undefined,
      }),
      ...(config.summary.webhookUrl && config.summary.webhookSecret
        ? [summaryWebhookJob({ store, url: config.summary.webhookUrl, secret: config.summary.webhookSecret })]
        : []),
    ],
  });
  const maintenance = new Maintenance({
    store,
    logger,
    retentionDays: config.retentionDays,
    staleAfterMs: config.instances.orphanAfterMs,
    sweepEveryMs: config.instances.heartbeatMs,
    onOrphansFound: () => jobRunner.kick(),
  });

  const frameLatency = {
    callerToModel: metrics.bridgeLatencySeconds.series('caller_to_model'),
    modelToCaller: metrics.bridgeLatencySeconds.series('model_to_caller'),
  };
  const registry = new CallRegistry({
    logger,
    createSession: (callSid, parties, plan) => {
      const callLogger = logger.child({ callSid });
      const opening = scriptedOpening(plan, config.bot);
      // Built per call only when the call brings its own instructions.
      const callSessionConfig = opening.instructions === config.bot.instructions ? session : sessionFor(opening.instructions);
      return new CallSession({
        callSid,
        engine,
        modelAudioFormat: config.openai.audioFormat,
        greeting: `${opening.instructions}\n\n${opening.greeting}`,
        summarizer,
        summarization: { triggerTokens: config.summary.triggerTokens, keepTurns: config.summary.keepTurns },
        summaryLanguage: config.summary.language,
        logger: callLogger,
        now,
        apologyAudio,
        tools,
        parties,
        handoffEnabled,
        frameLatency,
        streamTimeoutMs: config.mediaStreamTimeoutMs,
        redact,
        streamElsewhere: () => store.ownedElsewhere(callSid),
        createModelLink: (hooks) =>
          new ModelLink({
            ...hooks,
            connect: () => new WsRealtimeConnection(realtimeConnection, callLogger),
            session: callSessionConfig,
            logger: callLogger,
            now,
            reconnect: { attempts: config.realtimeSession.reconnectAttempts, ...RECONNECT_BACKOFF, random: Math.random },
            maxSessionMs: config.realtimeSession.maxDurationMs,
            holdLimitMs: HELD_AUDIO_LIMIT_MS,
            readyTimeoutMs: SESSION_READY_TIMEOUT_MS,
          }),
      });
    },
  });
  const recorder = new CallRecorder(registry, {
    store,
    instanceId: config.instanceId,
    logger,
    metrics,
    heartbeatMs: config.instances.heartbeatMs,
    redact,
    onCallStored: () => jobRunner.kick(),
  });
  observeCallMetrics(registry, metrics);

  const mediaServer = new MediaStreamServer({
    authToken: config.twilio.authToken,
    publicUrl: config.publicUrl,
    logger,
    stream: { silenceTimeoutMs: config.mediaSilenceTimeoutMs },
    onStream: (stream) => {
      observeMediaStreamMetrics(stream, metrics);
      registry.adoptStream(stream);
    },
    onRefused: () => metrics.signatureFailures.inc({ surface: 'upgrade' }),
  });

  const twilioRest = new TwilioSdkRest({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: config.twilio.apiBaseUrl });
  const dialer = new OutboundDialer({ rest: twilioRest, store, logger, onMachine: config.outbound.onMachine });

  const app = createApp({
    authToken: config.twilio.authToken,
    publicUrl: config.publicUrl,
    registry,
    logger,
    metrics,
    handoffNumber: config.bot.handoffNumber,
    ...handoffLookup(registry, store),
    takeOutboundScript: (id) => store.takeOutboundRequest(id),
    onMachine: config.outbound.onMachine,
    operator: config.operatorToken
      ? { token: config.operatorToken, store, feed, outbound: { dialer, defaultFrom: config.twilio.phoneNumber } }
      : undefined,
  });
  const httpServer = createServer(app);
  mediaServer.attach(httpServer);

  const relay = new FeedRelay(store, feed, logger);
  await relay.start();
  await listen(httpServer, config.port, config.host);
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  logger.info({ port, store: sqlClient.kind }, 'callbridge listening');
  jobRunner.start();
  maintenance.start();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    registry,
    metrics,
    store,
    feed,
    close: () =>
      (closing ??= (async () => {
        await registry.drain(config.shutdownTimeoutMs);
        await mediaServer.close();
        await recorder.flush(RECORDS_FLUSH_TIMEOUT_MS);
        maintenance.stop();
        await jobRunner.stop();
        await relay.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        await sqlClient.close();
      })()),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
