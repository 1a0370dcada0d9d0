import { afterAll, beforeAll } from 'vitest';
import type { CallSession } from '../../src/call/call-session.js';
import { startOfflineStack, waitFor, type OfflineStack, type OfflineStackOptions } from '../../src/sim/offline-stack.js';

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

/** The operator token of a harness started with `withOperatorApi`. */
export const OPERATOR_TOKEN = 'harness-operator-token-0123456789';

/** The stack's options with the operator API turned on (OPERATOR_TOKEN), unless they set a token of their own. */
export function withOperatorApi(options: OfflineStackOptions = {}): OfflineStackOptions {
  return { ...options, env: { OPERATOR_TOKEN, ...options.env } };
}

/** A turn as GET /api/calls/:callSid shows it. */
export interface ApiTurn {
  seq: number;
  role: 'user' | 'assistant' | 'tool';
  text: string;
  heardText: string;
  interrupted: boolean;
  /** The keys the caller pressed, for a turn made of key presses. */
  keys: string | null;
  itemId: string | null;
  timing: Record<string, number | string | null> | null;
}

/** A stored call as GET /api/calls/:callSid shows it: what an operator can know of a call. */
export interface ApiCall {
  callSid: string;
  status: 'in-progress' | 'completed' | 'failed' | 'interrupted';
  direction: 'inbound' | 'outbound';
  from: string | null;
  to: string | null;
  endReason: string | null;
  figures: Record<string, number | null> | null;
  handoff: { reason: string; whisper: string } | null;
  turns: ApiTurn[];
  summary: Record<string, unknown> | null;
  inCallSummaries: Array<Record<string, unknown> & { tokensBefore: number; latencyMs: number }>;
}

export interface OperatorApiClient {
  /** The call, or undefined while the server has no record of it (404). */
  call(callSid: string): Promise<ApiCall | undefined>;
  /** The first page of GET /api/calls. */
  calls(): Promise<Array<Pick<ApiCall, 'callSid' | 'status' | 'direction'>>>;
  /** Polls the call until `condition` holds of it; its last reading. */
  waitForCall(callSid: string, condition: (call: ApiCall) => boolean, what: string, timeoutMs?: number): Promise<ApiCall>;
}

/** The operator API of a running stack, read as an operator reads it: over HTTP with the token. */
export function operatorApi(harness: OfflineStack, token = OPERATOR_TOKEN): OperatorApiClient {
  const get = async (path: string) => {
    const response = await fetch(`${harness.server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return response.json() as Promise<unknown>;
  };
  const call = async (callSid: string) => (await get(`/api/calls/${callSid}`)) as ApiCall | undefined;
  return {
    call,
    calls: async () => ((await get('/api/calls')) as { calls: Array<Pick<ApiCall, 'callSid' | 'status' | 'direction'>> }).calls,
    async waitForCall(callSid, condition, what, timeoutMs) {
      let last: ApiCall | undefined;
      await waitFor(
        async () => {
          last = await call(callSid);
          return last !== undefined && condition(last);
        },
        what,
        timeoutMs,
      );
      return last!;
    },
  };
}

export interface HarnessFixture {
  /** The running stack; set once the file's `beforeAll` has run. */
  readonly harness: OfflineStack;
  /** Its operator API (the stack runs with `withOperatorApi`). */
  readonly api: OperatorApiClient;
  /**
   * The server's CallSession for a call, kept after the call ends (the registry forgets it): only
   * for what neither the API nor the wire shows.
   */
  session(callSid: string): CallSession;
}

/** One stack for a whole test file, with its operator API: started before its tests, closed after them. */
export function useHarness(options?: OfflineStackOptions): HarnessFixture {
  let harness: OfflineStack | undefined;
  let api: OperatorApiClient | undefined;
  const sessions = new Map<string, CallSession>();
  beforeAll(async () => {
    const resolved = withOperatorApi(options);
    harness = await startOfflineStack(resolved);
    api = operatorApi(harness, resolved.env!['OPERATOR_TOKEN']);
    harness.server.registry.on('call', (session) => sessions.set(session.callSid, session));
  });
  afterAll(() => harness?.close());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the harness starts in beforeAll');
    return value;
  };
  return {
    get harness() {
      return started(harness);
    },
    get api() {
      return started(api);
    },
    session(callSid) {
      const session = sessions.get(callSid);
      if (!session) throw new Error(`no call ${callSid} on this server`);
      return session;
    },
  };
}
