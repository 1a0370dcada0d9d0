import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadResamplerEngine } from './audio/resampler.js';
import { observeCallMetrics } from './call/call-metrics.js';
import { CallRecorder } from './call/call-recorder.js';
import { FeedRelay, LiveFeed } from './store/live-feed.js';
import { CallRegistry } from './call/call-registry.js';
import { CallSession, HANDOFF_END_REASON } from './call/call-session.js';
import { ModelLink } from './call/model-link.js';
import { scriptedOpening } from './call/call-script.js';
import { OutboundDialer } from './call/outbound-dialer.js';
import type { Config } from './config.js';
import { OpenAiSummarizer, type Summarizer } from './conversation/summarizer.js';
import { createApp } from './http/app.js';
import { JobRunner } from './jobs/job-runner.js';
import { Maintenance } from './jobs/maintenance.js';
import { postCallSummaryJob } from './jobs/post-call-summary.js';
import { summaryWebhookJob } from './jobs/summary-webhook.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { WsRealtimeConnection, type RealtimeConnector } from './realtime/connection.js';
import { buildSession } from './realtime/session-config.js';
import { CallStore } from './store/call-store.js';
import { POST_CALL_SUMMARY_JOB } from './store/job-kinds.js';
import { JobQueue } from './store/job-queue.js';
import { migrate } from './store/migrate.js';
import { openSqlClient } from './store/open-sql-client.js';
import type { SqlClient } from './store/sql-client.js';
import { MediaStreamServer } from './telephony/media-stream-server.js';
import { TwilioSdkRest, type TwilioRest } from './telephony/twilio-rest.js';
import { offeredTools } from './tools/builtin.js';
import { loadTools } from './tools/load.js';
import { Redactor, builtInRule } from './conversation/redaction.js';
import type { ToolRegistry } from './tools/registry.js';

export interface ServerDeps {
  config: Readonly<Config>;
  logger: Logger;
  /** Overrides for tests: how a call reaches the model, and the clock. */
  connectRealtime?: (logger: Logger) => RealtimeConnector;
  summarizer?: Summarizer;
  /** The business's tools; default: the code tools and TOOLS_FILE. */
  tools?: ToolRegistry;
  /** The store's database; default: PostgreSQL at DATABASE_URL, else the embedded one in DATA_DIR. */
  sqlClient?: SqlClient;
  /** Twilio's REST API; default: the SDK at TWILIO_API_BASE_URL. */
  twilioRest?: TwilioRest;
  now?: () => number;
  collectProcessMetrics?: boolean;
}

export interface RunningServer {
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

/** Wires the real parts together and listens. The only difference between production and tests is `deps`. */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config, logger } = deps;
  const now = deps.now ?? (() => performance.now());
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
  const summarizer =
    deps.summarizer ??
    new OpenAiSummarizer({ apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.summaryModel });
  const connectorFor =
    deps.connectRealtime ??
    ((callLogger: Logger): RealtimeConnector =>
      () =>
        new WsRealtimeConnection(
          {
            url: config.openai.realtimeUrl,
            model: config.openai.realtimeModel,
            apiKey: config.openai.apiKey,
            pingIntervalMs: config.realtimeSession.pingIntervalMs,
            pongTimeoutMs: config.realtimeSession.pongTimeoutMs,
          },
          callLogger,
        ));

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
        streamTimeoutMs: config.mediaStreamTimeoutMs,
        redact,
        streamElsewhere: () => store.ownedElsewhere(callSid),
        createModelLink: (hooks) =>
          new ModelLink({
            ...hooks,
            connect: connectorFor(callLogger),
            session: callSessionConfig,
            logger: callLogger,
            now,
            reconnect: {
              attempts: config.realtimeSession.reconnectAttempts,
              baseDelayMs: 250,
              maxDelayMs: 5000,
              random: Math.random,
            },
            maxSessionMs: config.realtimeSession.maxDurationMs,
            holdLimitMs: 2000,
            readyTimeoutMs: 10_000,
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
      stream.on('rejected', (kind) => metrics.rejectedFrames.inc({ source: 'twilio', kind }));
      registry.adoptStream(stream);
    },
    onRefused: () => metrics.signatureFailures.inc({ surface: 'upgrade' }),
  });

  const twilioRest =
    deps.twilioRest ??
    new TwilioSdkRest({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: config.twilio.apiBaseUrl });
  const dialer = new OutboundDialer({ rest: twilioRest, store, logger, onMachine: config.outbound.onMachine });

  const app = createApp({
    authToken: config.twilio.authToken,
    publicUrl: config.publicUrl,
    registry,
    logger,
    metrics,
    handoffNumber: config.bot.handoffNumber,
    // Twilio may ask any instance, possibly before the owner's record of the transfer has landed.
    wasHandedOff: async (callSid) => registry.takeHandoff(callSid) || (await handedOff(store, callSid)),
    handoffWhisper: async (callSid) => (await store.getCall(callSid))?.handoff?.whisper,
    takeOutboundScript: (id) => store.takeOutboundRequest(id),
    onMachine: config.outbound.onMachine,
    operator: config.operatorToken
      ? { token: config.operatorToken, store, feed, outbound: { dialer, defaultFrom: config.twilio.phoneNumber } }
      : undefined,
  });
  const httpServer = createServer(app);
  httpServer.on('upgrade', (request, socket, head) => {
    if (mediaServer.handles(request)) mediaServer.handleUpgrade(request, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

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
        await recorder.flush(5000);
        maintenance.stop();
        await jobRunner.stop();
        await relay.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        await sqlClient.close();
      })()),
  };
}

/** The owner stores a transfer as the stream closes; Twilio's continuation can be quicker than that write. */
const HANDOFF_RECORD_WAIT_MS = 3000;

async function handedOff(store: CallStore, callSid: string): Promise<boolean> {
  const deadline = performance.now() + HANDOFF_RECORD_WAIT_MS;
  for (;;) {
    const call = await store.getCall(callSid);
    if (call?.handoff || call?.endReason === HANDOFF_END_REASON) return true;
    // Once the call ended any other way, or nobody serves it any more, no transfer is coming.
    if (!call || call.status !== 'in-progress' || performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
