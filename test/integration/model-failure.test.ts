import { describe, expect, it } from 'vitest';
import { operatorApi, startHarness, withOperatorApi } from '../support/harness.js';

describe('Realtime session continuity', () => {
  it('apologises and ends the call as failed when every reconnect attempt fails', async () => {
    const harness = await startHarness(withOperatorApi({ env: { REALTIME_RECONNECT_ATTEMPTS: '2' } }));
    try {
      const caller = await harness.caller().dial();
      await caller.waitForBotReply(1);
      harness.simulator.refuseConnections(10);
      harness.simulator.dropConnections();

      await caller.waitForClose(30_000);
      await operatorApi(harness).waitForCall(caller.callSid, (call) => call.status === 'failed', 'the call to be stored as failed');
      // The apology clip (about 8.8 s) was heard in full before the hang-up.
      const apology = caller.botTurns[1]!;
      expect(apology.playedMs).toBeGreaterThan(8000);
      expect(harness.simulator.sessions).toHaveLength(1);
      expect(await harness.metrics()).toContain('callbridge_calls_total{status="failed"} 1');
    } finally {
      await harness.close();
    }
  });
});
