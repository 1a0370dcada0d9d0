import { describe, expect, it } from 'vitest';
import { callerClip } from '../../src/sim/assets.js';
import { shortCall } from '../support/scenarios.js';
import { metricValue, useHarness } from '../support/harness.js';

describe.concurrent('robustness', () => {
  const fixture = useHarness({ simulator: { scenario: shortCall } });

  it('counts and survives malformed frames mid-call: the call goes on and keeps its data', async () => {
    const { harness, api } = fixture;
    const caller = await harness.caller().dial();
    await caller.waitForBotReply(1);
    caller.sendRaw('this is not json');
    caller.sendRaw(JSON.stringify({ event: 'media', streamSid: caller.streamSid, media: { payload: 'AAAA' } }));
    caller.sendRaw(JSON.stringify({ event: 'media', sequenceNumber: '5', streamSid: caller.streamSid, media: { chunk: '1', timestamp: '1', payload: '%%%' } }));
    caller.sendRaw(JSON.stringify([1, 2, 3]));
    caller.sendRaw(JSON.stringify({ event: 'something-new', detail: 1 }));
    caller.sendRaw(JSON.stringify({ event: 'mark', sequenceNumber: '9', streamSid: caller.streamSid, mark: { name: 'not-ours' } }));

    await caller.say(callerClip('en-change-address').mulaw);
    await caller.waitForBotReply(2);
    const live = await api.waitForCall(caller.callSid, (call) => call.turns.length === 3, 'the reply to be stored');
    expect(live.turns.filter((turn) => turn.role === 'user').map((turn) => turn.text)).toEqual([callerClip('en-change-address').transcript]);
    expect(live.status).toBe('in-progress');
    expect(caller.isOpen).toBe(true);
    const metrics = await harness.metrics();
    expect(metricValue(metrics, 'callbridge_rejected_frames_total', { source: 'twilio', kind: 'malformed' })).toBe(4);
    await caller.hangUp();
    await api.waitForCall(caller.callSid, (call) => call.status === 'completed', 'the call to end');
  });

  it('runs several calls at once, each with its own session, transcript and audio', async () => {
    const { harness, api } = fixture;
    const callers = await Promise.all([0, 1, 2].map(() => harness.caller().dial()));
    await Promise.all(callers.map((caller) => caller.waitForBotReply(1)));
    await Promise.all(callers.map((caller) => caller.say(callerClip('en-change-address').mulaw)));
    await Promise.all(callers.map((caller) => caller.waitForBotPlayed(1, 1000)));
    for (const caller of callers) {
      const { turns } = await api.waitForCall(caller.callSid, (call) => call.turns.length === 3, 'the reply to complete');
      expect(turns.map((turn) => [turn.role, turn.text])).toEqual([
        ['assistant', 'Hello, thanks for calling Acme support. How can I help you today?'],
        ['user', callerClip('en-change-address').transcript],
        ['assistant', 'Done. I have changed the delivery address to twelve Baker Street.'],
      ]);
      expect(caller.botTurns[0]!.playedMs).toBeGreaterThan(4000);
    }
    expect(new Set(callers.map((caller) => caller.callSid)).size).toBe(3);
    await Promise.all(callers.map((caller) => caller.hangUp()));
    await Promise.all(callers.map((caller) => api.waitForCall(caller.callSid, (call) => call.status === 'completed', 'every call to end')));
  });
});
