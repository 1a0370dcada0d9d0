import { describe, expect, it } from 'vitest';
import type { CallSession } from '../../src/call/call-session.js';
import { callerClip } from '../../src/sim/assets.js';
import { continuingAcrossSessions, englishSupportCall } from '../../src/sim/scenarios.js';
import { startHarness, waitFor } from '../support/harness.js';
import { withoutTools } from '../support/scenarios.js';

describe('Realtime session continuity', () => {
  it('survives a dropped model socket: a new session is configured, seeded, and the call goes on', async () => {
    const harness = await startHarness({
      simulator: { scenario: continuingAcrossSessions(withoutTools(englishSupportCall)) },
      env: { SUMMARY_TRIGGER_TOKENS: '200', SUMMARY_KEEP_TURNS: '2' },
    });
    try {
      let session!: CallSession;
      harness.server.registry.on('call', (call) => (session = call));
      const caller = await harness.caller().dial();
      await caller.waitForBotReply(1);
      await caller.say(callerClip('en-order-status').mulaw);
      await caller.waitForBotReply(2);
      await waitFor(() => session.figures.summaries === 1, 'the first summary');

      harness.simulator.dropConnections();
      await waitFor(() => harness.simulator.sessions.length === 2, 'a new session');
      const [, second] = harness.simulator.sessions;
      await waitFor(() => session.figures.reconnects === 1, 'the session to be ready');

      // Configured first, then seeded: the summary, then the last two turns as text (sent before the
      // link reports ready, so they may still be on the wire).
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
      const userTurns = session.transcript.turns().filter((turn) => turn.role === 'user');
      expect(userTurns.map((turn) => turn.text)).toEqual([
        callerClip('en-order-status').transcript,
        callerClip('en-change-address').transcript,
      ]);
      // The gap is the reconnect: backoff plus a handshake, far below the 2 s of audio held meanwhile.
      expect(session.figures.maxReconnectGapMs).toBeGreaterThan(0);
      expect(session.figures.maxReconnectGapMs).toBeLessThan(2000);
      expect(session.isEnded).toBe(false);
    } finally {
      await harness.close();
    }
  });
});
