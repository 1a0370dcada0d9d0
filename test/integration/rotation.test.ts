import { describe, expect, it } from 'vitest';
import { callerClip } from '../../src/sim/assets.js';
import { continuingAcrossSessions, englishSupportCall } from '../../src/sim/scenarios.js';
import { startHarness, waitFor } from '../support/harness.js';

describe('Realtime session continuity', () => {
  it('rotates to a fresh session at a quiet moment before the maximum session duration', async () => {
    const harness = await startHarness({
      simulator: { scenario: continuingAcrossSessions(englishSupportCall) },
      env: { REALTIME_MAX_SESSION_MINUTES: '0.1' },
    });
    try {
      const caller = await harness.caller().dial();
      await caller.waitForBotReply(1);
      await waitFor(() => (harness.simulator.sessions[1]?.receivedOf('conversation.item.create').length ?? 0) > 0, 'the rotation, seeded', 15_000);

      const [first, second] = harness.simulator.sessions;
      // The greeting had finished playing: nothing was cut off, and the new session knows it.
      expect(caller.clears).toHaveLength(0);
      expect(first!.responses).toHaveLength(1);
      expect(second!.items.map((item) => [item.role, item.content[0]?.text])).toEqual([
        ['assistant', 'Hello, thanks for calling Acme support. How can I help you today?'],
      ]);
      await caller.say(callerClip('en-order-status').mulaw);
      await caller.waitForBotReply(2);
      expect(second!.responses.map((response) => response.reply)).toEqual(['tool:lookup_order', 'order-en']);
    } finally {
      await harness.close();
    }
  });
});
