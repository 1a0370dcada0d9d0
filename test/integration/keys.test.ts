import { describe, expect, it } from 'vitest';
import { playScenario } from '../../src/sim/run-scenario.js';
import { keysCall } from '../../src/sim/scenarios.js';
import { operatorApi, useHarness } from '../support/harness.js';

const OPERATOR_TOKEN = 'keys-test-operator-token';

describe('key presses (DTMF)', () => {
  const fixture = useHarness({ simulator: { scenario: keysCall }, env: { OPERATOR_TOKEN } });

  it('reach the model as the caller\'s words at the end of the burst, then the bot answers; the transcript shows the keys', async () => {
    const { harness } = fixture;
    const caller = await harness.caller().dial();
    await playScenario(caller, keysCall);
    const sim = harness.simulator.sessions[0]!;

    const created = sim.receivedOf('conversation.item.create').map((received) => ({
      atMs: received.atMs,
      item: received.event.item,
    }));
    const keys = created.filter((entry) => entry.item.role === 'user');
    expect(keys).toHaveLength(1);
    expect(keys[0]!.item.content).toEqual([{ type: 'input_text', text: expect.stringContaining('4 5 7 2 #') }]);
    // `#` ends the burst at once: the item and its response.create follow without the 1.5 s wait.
    const responseCreate = sim.receivedOf('response.create').find((received) => received.atMs >= keys[0]!.atMs);
    expect(responseCreate).toBeDefined();
    expect(sim.responses.map((response) => response.reply)).toEqual(['greeting-en', 'order-en', 'goodbye-en']);

    const detail = await operatorApi(harness, OPERATOR_TOKEN).waitForCall(caller.callSid, (call) => call.status === 'completed', 'the stored call');
    expect(detail.turns.map((turn) => [turn.role, turn.keys])).toEqual([
      ['assistant', null],
      ['user', '4572#'],
      ['assistant', null],
      ['user', null],
      ['assistant', null],
    ]);
  }, 90_000);
});
