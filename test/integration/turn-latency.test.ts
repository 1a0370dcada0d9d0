import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotTiming, CallerTiming } from '../../src/conversation/transcript.js';
import { createLogger } from '../../src/log.js';
import { playScenario } from '../../src/sim/run-scenario.js';
import type { Scenario } from '../../src/sim/scenarios.js';
import { metricValue, startHarness, waitFor, type Harness } from '../support/harness.js';
import { captureLog } from '../support/log-capture.js';

const TOKEN = 'turn-latency-operator-token';
const MODEL_LATENCY_MS = 400;

/** A greeting, a question answered after a tool, an answer the caller talks over, and the apology: every kind of bot turn. */
const timedCall = {
  name: 'timed',
  language: 'en',
  greeting: 'greeting-en',
  turns: [
    { callerClip: 'en-order-status', tools: [{ name: 'lookup_order', arguments: { orderId: '4572' } }], reply: 'long-en', talkOverAfterMs: 1500 },
    { callerClip: 'en-interrupt', reply: 'sorry-en' },
  ],
  fallbackReply: 'fallback-en',
  end: 'caller-hangs-up',
} satisfies Scenario;

interface ApiTurn {
  role: string;
  itemId: string;
  interrupted: boolean;
  timing: (BotTiming & CallerTiming) | null;
}

describe('per-turn latency, with the simulated model taking 400 ms to answer', () => {
  let harness: Harness;
  let callSid: string;
  const log = captureLog();
  /** The bot's turns as the operator API shows them once the call is stored. */
  let botTurns: Array<{ itemId: string; timing: BotTiming }>;
  let callerTurns: ApiTurn[];

  beforeAll(async () => {
    harness = await startHarness({
      simulator: { scenario: timedCall, timing: { modelLatencyMs: MODEL_LATENCY_MS } },
      env: { OPERATOR_TOKEN: TOKEN },
      exampleTools: true,
      logger: createLogger('info', log.stream),
    });
    const caller = await harness.caller().dial();
    callSid = caller.callSid;
    await playScenario(caller, timedCall);
    await waitFor(async () => (await storedCall()).status === 'completed', 'the call to be stored');
    const { turns } = await storedCall();
    botTurns = turns.filter((turn) => turn.role === 'assistant').map((turn) => ({ itemId: turn.itemId, timing: turn.timing! }));
    callerTurns = turns.filter((turn) => turn.role === 'user');
  });
  const storedCall = async () =>
    (await (await fetch(`${harness.server.url}/api/calls/${callSid}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      status: string;
      turns: ApiTurn[];
    };
  afterAll(() => harness?.close());

  it('times every bot turn in order on one clock, the model latency about what the model took', () => {
    expect(botTurns).toHaveLength(3);
    const [greeting, afterTool, apology] = botTurns.map((turn) => turn.timing);
    for (const timing of [greeting!, afterTool!, apology!]) {
      const askedMs = timing.speechEndedMs ?? timing.responseCreatedMs;
      expect(askedMs).toBeLessThanOrEqual(timing.firstDeltaMs);
      expect(timing.firstDeltaMs).toBeLessThanOrEqual(timing.sentMs!);
      expect(timing.sentMs!).toBeLessThanOrEqual(timing.heardMs!);
      expect(timing.heardMs!).toBeGreaterThan(0);
      // The figures are the marks' differences, and the total is their sum.
      expect(timing.modelLatencyMs).toBeCloseTo(timing.firstDeltaMs - askedMs, 0);
      expect(timing.totalMs!).toBeCloseTo(timing.modelLatencyMs + timing.bridgeLatencyMs! + timing.playbackStartMs!, 0);
    }
    expect(greeting!.speechEndedMs).toBeNull();
    // The simulator waits 400 ms; the marks are arrivals, which a busy event loop can skew by tens of ms.
    expect(greeting!.modelLatencyMs).toBeGreaterThanOrEqual(300);
    expect(greeting!.modelLatencyMs).toBeLessThan(800);
    expect(apology!.speechEndedMs).not.toBeNull();
    expect(apology!.toolMs).toBeNull();
    expect(apology!.modelLatencyMs).toBeGreaterThanOrEqual(300);
    expect(apology!.modelLatencyMs).toBeLessThan(800);
    // Two model round trips (the function call, then the answer) and the tool between them.
    expect(afterTool!.toolMs).toBeGreaterThan(0);
    expect(afterTool!.modelLatencyMs - afterTool!.toolMs!).toBeGreaterThanOrEqual(700);
    expect(afterTool!.modelLatencyMs - afterTool!.toolMs!).toBeLessThan(1600);
  });

  it('reports the same figures in one log line per bot turn, with ids and no text', () => {
    const lines = log.lines.filter((line) => line['msg'] === 'bot turn');
    expect(lines).toHaveLength(3);
    lines.forEach((line, index) => {
      const { itemId, timing } = botTurns[index]!;
      expect(line).toMatchObject({
        callSid,
        itemId,
        responseId: timing.responseId,
        modelLatencyMs: timing.modelLatencyMs,
        bridgeLatencyMs: timing.bridgeLatencyMs,
        playbackStartMs: timing.playbackStartMs,
        totalMs: timing.totalMs,
        toolMs: timing.toolMs,
      });
      expect(line).not.toHaveProperty('text');
    });
  });

  it('stores caller turns with when they spoke, and each bot turn with the speech it answers', async () => {
    expect(callerTurns).toHaveLength(2);
    for (const turn of callerTurns) expect(turn.timing!.speechStartedMs).toBeLessThan(turn.timing!.speechEndedMs);
    // A bot turn answers the caller's end of speech exactly as the caller's turn recorded it.
    expect(botTurns.slice(1).map((turn) => turn.timing.speechEndedMs)).toEqual(callerTurns.map((turn) => turn.timing!.speechEndedMs));
    const { turns } = await storedCall();
    expect(turns.filter((turn) => turn.role === 'assistant')[1]!.interrupted).toBe(true);
  });

  it('counts in /metrics what the call did: turns by role, tool calls, barge-ins, one latency sample per bot turn', async () => {
    const metrics = await harness.metrics();
    // Every audio frame is timed, both ways: the caller spoke and the bot answered.
    expect(metricValue(metrics, 'callbridge_bridge_latency_seconds_count', { direction: 'caller_to_model' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'callbridge_bridge_latency_seconds_count', { direction: 'model_to_caller' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'callbridge_turns_total', { role: 'bot' })).toBe(3);
    expect(metricValue(metrics, 'callbridge_turns_total', { role: 'caller' })).toBe(2);
    expect(metricValue(metrics, 'callbridge_tool_calls_total', { tool: 'lookup_order', outcome: 'ok' })).toBe(1);
    expect(metricValue(metrics, 'callbridge_barge_ins_total')).toBe(1);
    expect(metricValue(metrics, 'callbridge_turn_model_latency_seconds_count')).toBe(3);
    expect(metricValue(metrics, 'callbridge_turn_model_latency_seconds_count', { trigger: 'speech' })).toBe(2);
    expect(metricValue(metrics, 'callbridge_turn_total_seconds_count')).toBe(3);
    const modelSeconds = botTurns.reduce((sum, turn) => sum + turn.timing.modelLatencyMs / 1000, 0);
    expect(metricValue(metrics, 'callbridge_turn_model_latency_seconds_sum')).toBeCloseTo(modelSeconds, 3);
    const totalSeconds = botTurns.reduce((sum, turn) => sum + turn.timing.totalMs! / 1000, 0);
    expect(metricValue(metrics, 'callbridge_turn_total_seconds_sum')).toBeCloseTo(totalSeconds, 3);
  });
});
