import { describe, expect, it } from 'vitest';
import { callerClip } from '../../src/sim/assets.js';
import { metricValue, useHarness, waitFor } from '../support/harness.js';
import { shortCall } from '../support/scenarios.js';

const OPERATOR_TOKEN = 'faults-test-operator-token';

describe('fault isolation', () => {
  const fixture = useHarness({ simulator: { scenario: shortCall }, env: { OPERATOR_TOKEN } });

  it('an exception inside one call\'s event handling ends only that call; the other keeps flowing without a gap', async () => {
    const { harness } = fixture;
    let faultAtMs: number | undefined;
    let calls = 0;
    // Test instrumentation, not an observation: a bug planted in the first call's handling, which
    // throws when the caller's first words are transcribed.
    harness.server.registry.on('call', (call) => {
      if (calls++ > 0) return;
      call.on('turn', (turn) => {
        if (turn.role !== 'user') return;
        faultAtMs = performance.now();
        throw new Error('injected fault');
      });
    });
    const faulty = await harness.caller().dial();
    const healthy = await harness.caller().dial();
    const [, healthySession] = harness.simulator.sessions;
    await Promise.all([faulty.waitForBotReply(1), healthy.waitForBotReply(1)]);

    await faulty.say(callerClip('en-change-address').mulaw);
    await waitFor(() => faultAtMs !== undefined, 'the injected fault');
    await faulty.waitForClose();

    // The healthy call goes on: around the fault, each 20 ms frame its caller sent reached the model
    // without callbridge holding it back (measured per frame, so the test machine's own timer jitter
    // in sending them does not count). The bound is half a second: this process also runs the
    // callers and the simulator, and a loaded machine has stalled it for 200 ms with no fault at all.
    await healthy.pause(1000);
    const appends = healthySession!.receivedOf('input_audio_buffer.append');
    const delaysMs = appends
      .map((append, index) => ({ sentAtMs: healthy.sent[index]?.atMs, delayMs: append.atMs - (healthy.sent[index]?.atMs ?? Number.NaN) }))
      .filter(({ sentAtMs }) => sentAtMs !== undefined && sentAtMs > faultAtMs! - 1000 && sentAtMs < faultAtMs! + 1000)
      .map(({ delayMs }) => delayMs);
    expect(delaysMs.length).toBeGreaterThan(80);
    expect(Math.max(...delaysMs)).toBeLessThan(500);
    await healthy.say(callerClip('en-change-address').mulaw);
    await healthy.waitForBotReply(2);
    expect(healthy.isOpen).toBe(true);

    const stored = async (callSid: string) =>
      (await (await fetch(`${harness.server.url}/api/calls/${callSid}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).json()) as {
        status: string;
        endReason: string;
        turns: { role: string }[];
      };
    await waitFor(async () => (await stored(faulty.callSid)).status === 'failed', 'the failed call on record');
    expect((await stored(faulty.callSid)).endReason).toBe('internal error (model event)');
    // What was said before the fault is kept.
    expect((await stored(faulty.callSid)).turns.map((turn) => turn.role)).toEqual(['assistant', 'user']);
    expect(metricValue(await harness.metrics(), 'callbridge_call_faults_total', { where: 'model event' })).toBe(1);

    await healthy.hangUp();
    await waitFor(async () => (await stored(healthy.callSid)).status === 'completed', 'the healthy call on record');
  }, 90_000);
});
