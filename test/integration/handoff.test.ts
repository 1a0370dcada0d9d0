import { describe, expect, it } from 'vitest';
import { callerClip } from '../../src/sim/assets.js';
import { handoffCall } from '../../src/sim/scenarios.js';
import { operatorApi, startHarness, withOperatorApi } from '../support/harness.js';

const HUMAN = '+14155550199';

// Each test runs its own stack and call, which mostly wait on the clock: side by side.
describe.concurrent('hand-off to a human', () => {
  it('offers the tool, answers the call, lets the bot announce it, then Twilio dials the human', async () => {
    const harness = await startHarness(withOperatorApi({ simulator: { scenario: handoffCall }, env: { HANDOFF_NUMBER: HUMAN } }));
    try {
      const caller = await harness.caller().dial();
      await caller.waitForBotReply(1);
      await caller.say(callerClip('en-human').mulaw);
      await caller.waitForContinuation();

      const sim = harness.simulator.sessions[0]!;
      const update = sim.receivedOf('session.update')[0]!.event;
      expect((update.session['tools'] as { name: string }[]).map((tool) => tool.name)).toEqual(['check_business_hours', 'end_call', 'transfer_to_human']);
      // The tool's output, then a new response: the bot tells the caller before the transfer.
      const created = sim.receivedOf('conversation.item.create')[0]!.event;
      expect(created.item.type).toBe('function_call_output');
      expect(JSON.parse(created.item.output!)).toMatchObject({ status: 'transferring' });
      expect(sim.responses.map((response) => response.reply)).toEqual(['greeting-en', 'tool:transfer_to_human', 'handoff-en']);
      // The announcement was heard in full before the stream closed.
      expect(caller.botTurns.at(-1)!.playedMs).toBeGreaterThan(4000);
      // A warm transfer: the person who answers first hears why the caller is coming.
      expect(caller.continuation).toEqual({ dial: HUMAN, whisper: expect.stringContaining('Reason: refund request'), hangup: false });
      const stored = await operatorApi(harness).waitForCall(caller.callSid, (call) => call.status === 'completed', 'the record');
      expect(stored).toMatchObject({
        endReason: 'transferred to a human',
        handoff: { reason: 'refund request', whisper: caller.continuation!.whisper },
      });
    } finally {
      await harness.close();
    }
  });

  it('hangs up (no dial) when the bot ends a call that was not handed off', async () => {
    const harness = await startHarness({ env: { HANDOFF_NUMBER: HUMAN, REALTIME_RECONNECT_ATTEMPTS: '0' } });
    try {
      const caller = await harness.caller().dial();
      await caller.waitForBotReply(1);
      harness.simulator.dropConnections();
      await caller.waitForContinuation();
      expect(caller.continuation).toEqual({ hangup: true });
    } finally {
      await harness.close();
    }
  });
});
