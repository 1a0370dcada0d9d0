import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { silentLogger, type Logger } from '../log.js';
import { startService, type RunningService } from '../service.js';
import { checkBusinessHours } from '../tools/examples/business-hours.js';
import { loadTools } from '../tools/load.js';
import { openSqlClient, type SqlClient } from '../store/index.js';
import { OpenAiHttpSimulator, type OpenAiHttpSimulatorOptions } from './openai-http-simulator.js';
import { RealtimeSimulator, type RealtimeSimulatorOptions } from './realtime/simulator.js';
import { startExampleToolBackend, type ExampleToolBackend } from './tool-backend.js';
import { SimulatedCaller, type SimulatedCallerOptions } from './twilio-caller.js';
import { TwilioRestSimulator, type TwilioRestSimulatorOptions } from './twilio-rest-simulator.js';

export const SIM_AUTH_TOKEN = 'simulated-twilio-auth-token';
export const SIM_ACCOUNT_SID = `AC${'1'.repeat(32)}`;
/** The simulated account's number: TWILIO_PHONE_NUMBER of the offline stack. */
export const SIM_PHONE_NUMBER = '+15005550006';

export interface OfflineStack {
  simulator: RealtimeSimulator;
  /** The OpenAI HTTP API stand-in the summaries go to. */
  openai: OpenAiHttpSimulator;
  /** Twilio's REST API stand-in (TWILIO_API_BASE_URL): the account's number, and calls placed through it. */
  twilio: TwilioRestSimulator;
  server: RunningService;
  /** The example order system behind examples/tools.json, when the stack was started with it. */
  toolBackend: ExampleToolBackend | undefined;
  /** A new simulated caller for this server (not dialled yet); hung up by `close()`. */
  caller(options?: Partial<SimulatedCallerOptions>): SimulatedCaller;
  /** Prometheus text of the server's /metrics. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export interface OfflineStackOptions {
  simulator?: RealtimeSimulatorOptions;
  openai?: OpenAiHttpSimulatorOptions;
  twilio?: Pick<TwilioRestSimulatorOptions, 'answeredBy'>;
  /** Extra environment for the server's config (as strings, like the real environment). */
  env?: Record<string, string>;
  /** Keep the call store in DATA_DIR (env) instead of in memory. */
  persistent?: boolean;
  /** Use this database (already migrated or not); the stack closes it. Default: a fresh in-memory one. */
  sqlClient?: SqlClient;
  logger?: Logger;
  /** Serve examples/tools.json's tools from the example backend (TOOLS_FILE points at a copy aimed at it). */
  exampleTools?: boolean;
}

const EXAMPLE_TOOLS_FILE = new URL('../../examples/tools.json', import.meta.url);
/** Where examples/tools.json expects its backend; the stack's backend listens on a free port instead. */
const EXAMPLE_TOOLS_ORIGIN = 'http://127.0.0.1:4010';

/**
 * The real server on an ephemeral port with the simulators as its OpenAI (Realtime and HTTP): what
 * the demo, the integration tests and the benchmarks run calls against.
 */
export async function startOfflineStack(options: OfflineStackOptions = {}): Promise<OfflineStack> {
  const simulator = await new RealtimeSimulator(options.simulator).start();
  const openai = await new OpenAiHttpSimulator(options.openai).start();
  const twilioRest = await new TwilioRestSimulator({
    accountSid: SIM_ACCOUNT_SID,
    authToken: SIM_AUTH_TOKEN,
    numbers: [{ phoneNumber: SIM_PHONE_NUMBER }],
    ...options.twilio,
  }).start();
  const toolBackend = options.exampleTools ? await startExampleToolBackend({ ...(options.env?.['TOOLS_SECRET'] ? { secret: options.env['TOOLS_SECRET'] } : {}) }) : undefined;
  const toolsDir = toolBackend ? mkdtempSync(join(tmpdir(), 'callbridge-tools-')) : undefined;
  const toolsFile = toolsDir && join(toolsDir, 'tools.json');
  if (toolsFile && toolBackend) {
    writeFileSync(toolsFile, readFileSync(EXAMPLE_TOOLS_FILE, 'utf8').replaceAll(EXAMPLE_TOOLS_ORIGIN, toolBackend.url));
  }
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OPENAI_API_KEY: 'sk-simulator',
    OPENAI_REALTIME_URL: simulator.url,
    OPENAI_BASE_URL: openai.url,
    TWILIO_ACCOUNT_SID: SIM_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: SIM_AUTH_TOKEN,
    TWILIO_PHONE_NUMBER: SIM_PHONE_NUMBER,
    TWILIO_API_BASE_URL: twilioRest.url,
    SHUTDOWN_TIMEOUT_SECONDS: '1',
    ...(toolsFile ? { TOOLS_FILE: toolsFile } : {}),
    ...options.env,
  });
  const logger = options.logger ?? silentLogger();
  const sqlClient = options.sqlClient ?? (options.persistent ? undefined : await openSqlClient({}));
  // The offline world offers the worked example of a code tool, as a business would register its own.
  const tools = loadTools(config.tools, [checkBusinessHours]);
  const server = await startService({ config, logger, tools, ...(sqlClient ? { sqlClient } : {}) });
  const callers: SimulatedCaller[] = [];
  return {
    simulator,
    openai,
    twilio: twilioRest,
    server,
    toolBackend,
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
      await twilioRest.close();
      await server.close();
      await simulator.close();
      await openai.close();
      await toolBackend?.close();
      if (toolsDir) rmSync(toolsDir, { recursive: true, force: true });
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
