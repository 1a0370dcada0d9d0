import { describe, expect, it } from 'vitest';
import { callerClip } from '../../src/sim/assets.js';
import { continuingAcrossSessions, englishSupportCall } from '../../src/sim/scenarios.js';
import { operatorApi, useHarness, waitFor } from '../support/harness.js';
import { shortCall, withoutTools } from '../support/scenarios.js';

const OPERATOR_TOKEN = 'dead-connections-operator-token';

describe.concurrent('a half-open Realtime socket', () => {
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

    // Seeded with what was said (the seed follows session.updated, so it is waited for), and the next
    // turn is answered in the new session.
    const seeded = () => second!.items.map((item) => item.content[0]?.text ?? '');
    await waitFor(() => seeded().length > 0, 'the replacement to be seeded', 15_000);
    expect(seeded()).toContain(callerClip('en-order-status').transcript);
    await caller.say(callerClip('en-change-address').mulaw);
    await caller.waitForBotReply(3);
    expect(second!.responses.map((response) => response.reply)).toEqual(['address-en']);
    expect(caller.isOpen).toBe(true);
    await caller.hangUp();
  }, 90_000);
});

describe.concurrent('a silent Twilio stream', () => {
  // 3 s, not 1: the callers, the simulator and the server share this test process's event loop, and a
  // loaded machine has stalled it past a second, which ended a call that had not gone silent.
  const fixture = useHarness({ simulator: { scenario: shortCall }, env: { OPERATOR_TOKEN, MEDIA_SILENCE_TIMEOUT_SECONDS: '3' } });

  it('ends its call as interrupted, keeps what was said, and leaves other calls alone', async () => {
    const { harness } = fixture;
    const stalled = await harness.caller().dial();
    const healthy = await harness.caller().dial();
    await Promise.all([stalled.waitForBotReply(1), healthy.waitForBotReply(1)]);
    // The caller's ear says the greeting is over after 700 ms of quiet, which a loaded machine can
    // stretch mid-greeting: the stream goes silent once the greeting is on record.
    const api = operatorApi(harness, OPERATOR_TOKEN);
    await api.waitForCall(stalled.callSid, (call) => call.turns.some((turn) => turn.role === 'assistant'), 'the greeting on record', 30_000);
    expect(stalled.isOpen).toBe(true);
    stalled.goSilent();
    await stalled.waitForClose(10_000);
    const stored = await api.waitForCall(stalled.callSid, (call) => call.status === 'interrupted', 'the stalled call on record');
    expect(stored).toMatchObject({ endReason: 'media stream went silent', turns: [{ role: 'assistant' }] });
    expect(healthy.isOpen).toBe(true);
    await healthy.say(callerClip('en-change-address').mulaw);
    await healthy.waitForBotReply(2);
    await healthy.hangUp();
  }, 60_000);
});
