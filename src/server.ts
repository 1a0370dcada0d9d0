import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadResamplerEngine } from './audio/resampler.js';
import { CallRegistry } from './call/call-registry.js';
import { CallSession } from './call/call-session.js';
import { ModelLink } from './call/model-link.js';
import type { Config } from './config.js';
import { OpenAiSummarizer, type Summarizer } from './conversation/summarizer.js';
import { createApp } from './http/app.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { WsRealtimeConnection, type RealtimeConnector } from './realtime/connection.js';
import { buildSession } from './realtime/session-config.js';
import { MediaStreamServer } from './telephony/media-stream-server.js';

export interface ServerDeps {
  config: Readonly<Config>;
  logger: Logger;
  /** Overrides for tests: how a call reaches the model, and the clock. */
  connectRealtime?: (logger: Logger) => RealtimeConnector;
  summarizer?: Summarizer;
  now?: () => number;
  collectProcessMetrics?: boolean;
}

export interface RunningServer {
  /** http://host:port the server listens on (the real port when configured with 0). */
  url: string;
  port: number;
  registry: CallRegistry;
  metrics: Metrics;
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
  const session = buildSession({
    model: config.openai.realtimeModel,
    voice: config.openai.voice,
    instructions: config.bot.instructions,
    transcriptionModel: config.openai.transcriptionModel,
    turnDetection: config.turnDetection,
    noiseReduction: config.noiseReduction,
  });
  const summarizer =
    deps.summarizer ??
    new OpenAiSummarizer({ apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.summaryModel });
  const connectorFor =
    deps.connectRealtime ??
    ((callLogger: Logger): RealtimeConnector =>
      () =>
        new WsRealtimeConnection(
          { url: config.openai.realtimeUrl, model: config.openai.realtimeModel, apiKey: config.openai.apiKey },
          callLogger,
        ));

  const registry = new CallRegistry({
    logger,
    createSession: (callSid) => {
      const callLogger = logger.child({ callSid });
      return new CallSession({
        callSid,
        engine,
        greeting: `${config.bot.instructions}\n\n${config.bot.greeting}`,
        summarizer,
        summarization: { triggerTokens: config.summary.triggerTokens, keepTurns: config.summary.keepTurns },
        summaryLanguage: config.summary.language,
        logger: callLogger,
        metrics,
        now,
        apologyAudio,
        createModelLink: (hooks) =>
          new ModelLink({
            ...hooks,
            connect: connectorFor(callLogger),
            session,
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
  registry.on('call', (call) => {
    metrics.callsActive.inc();
    call.once('ended', (end) => {
      metrics.callsActive.dec();
      metrics.callsTotal.inc({ status: end.status });
    });
  });

  const mediaServer = new MediaStreamServer({
    authToken: config.twilio.authToken,
    publicUrl: config.publicUrl,
    logger,
    onStream: (stream) => {
      stream.on('rejected', (kind) => metrics.rejectedFrames.inc({ source: 'twilio', kind }));
      registry.adoptStream(stream);
    },
    onRefused: () => metrics.signatureFailures.inc({ surface: 'upgrade' }),
  });

  const app = createApp({
    authToken: config.twilio.authToken,
    publicUrl: config.publicUrl,
    registry,
    logger,
    metrics,
  });
  const httpServer = createServer(app);
  httpServer.on('upgrade', (request, socket, head) => {
    if (mediaServer.handles(request)) mediaServer.handleUpgrade(request, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  await listen(httpServer, config.port, config.host);
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  logger.info({ port }, 'callbridge listening');

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    registry,
    metrics,
    close: () =>
      (closing ??= (async () => {
        await registry.drain(config.shutdownTimeoutMs);
        await mediaServer.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
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
