import { describe, expect, it } from 'vitest';
import { callerClip } from '../../src/sim/assets.js';
import { continuingAcrossSessions, englishSupportCall } from '../../src/sim/scenarios.js';
import { operatorApi, startHarness, waitFor, withOperatorApi } from '../support/harness.js';
import { withoutTools } from '../support/scenarios.js';

describe('Realtime session continuity', () => {
  it('survives a dropped model socket: a new session is configured, seeded, and the call goes on', async () => {
    const harness = await startHarness(
      withOperatorApi({
        simulator: { scenario: continuingAcrossSessions(withoutTools(englishSupportCall)) },
        env: { SUMMARY_TRIGGER_TOKENS: '200', SUMMARY_KEEP_TURNS: '2' },
      }),
    );
    const api = operatorApi(harness);
    try {
      const caller = await harness.caller().dial();
      await caller.waitForBotReply(1);
      await caller.say(callerClip('en-order-status').mulaw);
      await caller.waitForBotReply(2);
      await api.waitForCall(caller.callSid, (call) => call.inCallSummaries.length === 1, 'the first summary');

      harness.simulator.dropConnections();
      await waitFor(() => harness.simulator.sessions.length === 2, 'a new session');
      const [, second] = harness.simulator.sessions;

      // Configured first, then seeded: the summary, then the last two turns as text.
      await waitFor(() => second!.receivedOf('conversation.item.create').length >= 3, 'the seeded history');
      const sent = second!.received.filter((entry) => entry.event.type !== 'input_audio_buffer.append');
      expect(sent.map((entry) => entry.event.type)).toEqual([
        'session.update',
        'conversation.item.create',
        'conversation.item.create',
        'conversation.item.create',
      ]);
      const seeded = second!.items.map((item) => [item.role, item.content[0]?.type, item.content[0]?.text ?? '']);
      expect(seeded).toEqual([
        ['system', 'input_text', expect.stringContaining('Summary of the earlier part of this call')],
        ['user', 'input_text', callerClip('en-order-status').transcript],
        ['assistant', 'output_text', 'Sure. Order four five seven two shipped yesterday and should arrive on Thursday.'],
      ]);

      // Audio flows again, and the call continues in the new session.
      await caller.say(callerClip('en-change-address').mulaw);
      await caller.waitForBotReply(3);
      expect(second!.receivedOf('input_audio_buffer.append').length).toBeGreaterThan(100);
      expect(second!.responses.map((response) => response.reply)).toEqual(['address-en']);
      expect(caller.isOpen).toBe(true);
      await caller.hangUp();
      const stored = await api.waitForCall(caller.callSid, (call) => call.status === 'completed', 'the call to be stored');
      expect(stored.turns.filter((turn) => turn.role === 'user').map((turn) => turn.text)).toEqual([
        callerClip('en-order-status').transcript,
        callerClip('en-change-address').transcript,
      ]);
      // The gap is the reconnect: backoff plus a handshake, far below the 2 s of audio held meanwhile.
      expect(stored.figures).toMatchObject({ reconnects: 1, maxReconnectGapMs: expect.any(Number) });
      expect(stored.figures!['maxReconnectGapMs']).toBeGreaterThan(0);
      expect(stored.figures!['maxReconnectGapMs']).toBeLessThan(2000);
    } finally {
      await harness.close();
    }
    // Three exchanges and a reconnect in real time: about 40 s on a loaded machine, too close to the default.
  }, 90_000);
});
