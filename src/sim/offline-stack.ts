import { loadConfig } from '../config.js';
import { silentLogger, type Logger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import { openSqlClient, type SqlClient } from '../store/sql-client.js';
import { OpenAiHttpSimulator, type OpenAiHttpSimulatorOptions } from './openai-http-simulator.js';
import { RealtimeSimulator, type RealtimeSimulatorOptions } from './realtime/simulator.js';
import { SimulatedCaller, type SimulatedCallerOptions } from './twilio-caller.js';

export const SIM_AUTH_TOKEN = 'simulated-twilio-auth-token';
export const SIM_ACCOUNT_SID = `AC${'1'.repeat(32)}`;

export interface OfflineStack {
  simulator: RealtimeSimulator;
  /** The OpenAI HTTP API stand-in the summaries go to. */
  openai: OpenAiHttpSimulator;
  server: RunningServer;
  /** A new simulated caller for this server (not dialled yet); hung up by `close()`. */
  caller(options?: Partial<SimulatedCallerOptions>): SimulatedCaller;
  /** Prometheus text of the server's /metrics. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export interface OfflineStackOptions {
  simulator?: RealtimeSimulatorOptions;
  openai?: OpenAiHttpSimulatorOptions;
  /** Extra environment for the server's config (as strings, like the real environment). */
  env?: Record<string, string>;
  /** Keep the call store in DATA_DIR (env) instead of in memory. */
  persistent?: boolean;
  /** Use this database (already migrated or not); the stack closes it. Default: a fresh in-memory one. */
  sqlClient?: SqlClient;
  logger?: Logger;
}

/**
 * The real server on an ephemeral port with the simulators as its OpenAI (Realtime and HTTP): what
 * the demo, the integration tests and the benchmarks run calls against.
 */
export async function startOfflineStack(options: OfflineStackOptions = {}): Promise<OfflineStack> {
  const simulator = await new RealtimeSimulator(options.simulator).start();
  const openai = await new OpenAiHttpSimulator(options.openai).start();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OPENAI_API_KEY: 'sk-simulator',
    OPENAI_REALTIME_URL: simulator.url,
    OPENAI_BASE_URL: openai.url,
    TWILIO_ACCOUNT_SID: SIM_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: SIM_AUTH_TOKEN,
    SHUTDOWN_TIMEOUT_SECONDS: '1',
    ...options.env,
  });
  const logger = options.logger ?? silentLogger();
  const sqlClient = options.sqlClient ?? (options.persistent ? undefined : await openSqlClient({}));
  const server = await startServer({ config, logger, ...(sqlClient ? { sqlClient } : {}) });
  const callers: SimulatedCaller[] = [];
  return {
    simulator,
    openai,
    server,
    caller: (callerOptions) => {
      const caller = new SimulatedCaller({
        serverUrl: server.url,
        authToken: SIM_AUTH_TOKEN,
        accountSid: SIM_ACCOUNT_SID,
        ...callerOptions,
      });
      callers.push(caller);
      return caller;
    },
    metrics: async () => (await fetch(`${server.url}/metrics`)).text(),
    close: async () => {
      await Promise.all(callers.map((caller) => caller.hangUp()));
      await server.close();
      await simulator.close();
      await openai.close();
    },
  };
}

/** Polls `condition` every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
