import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { RealtimeSimulator, type RealtimeSimulatorOptions } from '../../src/sim/realtime/simulator.js';
import { SimulatedCaller, type SimulatedCallerOptions } from '../../src/sim/twilio-caller.js';

export const TEST_AUTH_TOKEN = 'test-twilio-auth-token';
export const TEST_ACCOUNT_SID = `AC${'1'.repeat(32)}`;

export interface Harness {
  simulator: RealtimeSimulator;
  server: RunningServer;
  caller(options?: Partial<SimulatedCallerOptions>): SimulatedCaller;
  /** Prometheus text of the server's /metrics. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

/** The real server on port 0, with the Realtime simulator as its model. Close it in `afterAll`/`finally`. */
export async function startHarness(
  options: { simulator?: RealtimeSimulatorOptions; env?: Record<string, string> } = {},
): Promise<Harness> {
  const simulator = await new RealtimeSimulator(options.simulator).start();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_REALTIME_URL: simulator.url,
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    SHUTDOWN_TIMEOUT_SECONDS: '1',
    ...options.env,
  });
  const server = await startServer({ config, logger: silentLogger() });
  const callers: SimulatedCaller[] = [];
  return {
    simulator,
    server,
    caller: (callerOptions) => {
      const caller = new SimulatedCaller({
        serverUrl: server.url,
        authToken: TEST_AUTH_TOKEN,
        accountSid: TEST_ACCOUNT_SID,
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
    },
  };
}

/** Sum of a Prometheus counter's samples whose labels include all of `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) total += Number(match[3]);
  }
  return total;
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
