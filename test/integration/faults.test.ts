import { describe, expect, it } from 'vitest';
import { callerClip } from '../../src/sim/assets.js';
import { continuingAcrossSessions, englishSupportCall } from '../../src/sim/scenarios.js';
import { metricValue, useHarness, waitFor } from '../support/harness.js';
import { shortCall, withoutTools } from '../support/scenarios.js';

const OPERATOR_TOKEN = 'faults-test-operator-token';

describe('fault isolation', () => {
  const fixture = useHarness({ simulator: { scenario: shortCall }, env: { OPERATOR_TOKEN } });

  it('an exception inside one call\'s event handling ends only that call; the other keeps flowing without a gap', async () => {
    const { harness } = fixture;
    let faultAtMs: number | undefined;
    harness.server.registry.on('call', (call) => {
      if (faultAtMs !== undefined || harness.server.registry.size > 1) return;
      // A bug in the first call's handling: it throws when the caller's first words are transcribed.
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

    // The healthy call goes on: its caller audio reached the model every 20 ms around the fault, and it is answered.
    await healthy.pause(1000);
    const appendsAtMs = healthySession!.receivedOf('input_audio_buffer.append').map((received) => received.atMs);
    const around = appendsAtMs.filter((atMs) => atMs > faultAtMs! - 1000 && atMs < faultAtMs! + 1000);
    expect(around.length).toBeGreaterThan(80);
    const gaps = around.slice(1).map((atMs, index) => atMs - around[index]!);
    expect(Math.max(...gaps)).toBeLessThan(100);
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

describe('a half-open Realtime socket', () => {
  const fixture = useHarness({
    simulator: { scenario: continuingAcrossSessions(withoutTools(englishSupportCall)) },
    env: { REALTIME_PING_INTERVAL_SECONDS: '1', REALTIME_PONG_TIMEOUT_SECONDS: '2' },
  });

  it('is noticed by its unanswered pings and replaced within 15 s; the call keeps its context and the next turn plays', async () => {
    const { harness } = fixture;
    const caller = await harness.caller().dial();
    await caller.waitForBotReply(1);
    await caller.say(callerClip('en-order-status').mulaw);
    await caller.waitForBotReply(2);

    const silencedAtMs = performance.now();
    harness.simulator.silenceConnections();
    await waitFor(() => harness.simulator.sessions.length === 2, 'a replacement session', 15_000);
    const [first, second] = harness.simulator.sessions;
    await waitFor(() => second!.received.some((entry) => entry.event.type === 'session.update'), 'the replacement to be configured', 15_000);
    expect(performance.now() - silencedAtMs).toBeLessThan(15_000);
    expect(first!.isOpen).toBe(false);

    // Seeded with what was said, and the next turn is answered in the new session.
    const seeded = second!.items.map((item) => item.content[0]?.text ?? '');
    expect(seeded).toContain(callerClip('en-order-status').transcript);
    await caller.say(callerClip('en-change-address').mulaw);
    await caller.waitForBotReply(3);
    expect(second!.responses.map((response) => response.reply)).toEqual(['address-en']);
    expect(caller.isOpen).toBe(true);
    await caller.hangUp();
  }, 90_000);
});
