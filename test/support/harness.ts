import { afterAll, beforeAll } from 'vitest';
import type { CallSession } from '../../src/call/call-session.js';
import { startOfflineStack, type OfflineStack, type OfflineStackOptions } from '../../src/sim/offline-stack.js';

export {
  SIM_AUTH_TOKEN as TEST_AUTH_TOKEN,
  startOfflineStack as startHarness,
  waitFor,
  type OfflineStack as Harness,
} from '../../src/sim/offline-stack.js';

/** Sum of a Prometheus counter's samples whose labels include all of `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) total += Number(match[3]);
  }
  return total;
}

export interface HarnessFixture {
  /** The running stack; set once the file's `beforeAll` has run. */
  readonly harness: OfflineStack;
  /** The server's CallSession for a call, kept after the call ends (the registry forgets it). */
  session(callSid: string): CallSession;
}

/** One stack for a whole test file: started before its tests, closed after them. */
export function useHarness(options?: OfflineStackOptions): HarnessFixture {
  let harness: OfflineStack | undefined;
  const sessions = new Map<string, CallSession>();
  beforeAll(async () => {
    harness = await startOfflineStack(options);
    harness.server.registry.on('call', (session) => sessions.set(session.callSid, session));
  });
  afterAll(() => harness?.close());
  return {
    get harness() {
      if (!harness) throw new Error('the harness starts in beforeAll');
      return harness;
    },
    session(callSid) {
      const session = sessions.get(callSid);
      if (!session) throw new Error(`no call ${callSid} on this server`);
      return session;
    },
  };
}
