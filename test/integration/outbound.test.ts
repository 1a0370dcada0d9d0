import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INSTRUCTIONS } from '../../src/config.js';
import { playScenario } from '../../src/sim/run-scenario.js';
import { SIM_PHONE_NUMBER } from '../../src/sim/offline-stack.js';
import type { RealtimeSimulator } from '../../src/sim/realtime/simulator.js';
import { operatorApi, startHarness, type Harness } from '../support/harness.js';
import { shortCall, withoutTools } from '../support/scenarios.js';

const TOKEN = 'operator-token-0123456789';
const CALLEE = '+14155550142';
const scenario = { ...withoutTools(shortCall), turns: withoutTools(shortCall).turns.slice(0, 1) };

function post(harness: Harness, body: unknown, token: string | null = TOKEN) {
  return fetch(`${harness.server.url}/api/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

/** What the server told the simulated model: the session's instructions and each response.create's. */
function toldTheModel(simulator: RealtimeSimulator, index: number) {
  const session = simulator.sessions[index]!;
  const updates = session.receivedOf('session.update').map((entry) => (entry.event as { session?: { instructions?: string } }).session?.instructions);
  const responses = session.receivedOf('response.create').map((entry) => (entry.event as { response?: { instructions?: string } }).response?.instructions);
  return { instructions: updates.find((text) => text !== undefined), responses };
}

describe('POST /api/calls: an outbound call, end to end offline', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ simulator: { scenario }, env: { OPERATOR_TOKEN: TOKEN } });
  });
  afterAll(() => harness.close());

  it('needs the operator token and a valid body, and says what was wrong', async () => {
    expect((await post(harness, { to: CALLEE }, null)).status).toBe(401);
    const bad = await post(harness, { to: '555-0142', greting: 'hi' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; message: string };
    expect(body.error).toBe('invalid_body');
    expect(body.message).toContain('to: must be an E.164 number');
    expect(body.message).toContain('greting');
    const refused = await post(harness, { to: CALLEE, from: '+14155550777' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toContain("'From' phone number not verified");
    expect(harness.twilio.calls).toHaveLength(0);
  });

  it('is placed, dialled by Twilio, greeted with its own script, talked to, hung up, stored and summarized', async () => {
    const response = await post(harness, {
      to: CALLEE,
      instructions: 'You are calling to confirm a dentist appointment on Tuesday.',
      greeting: 'Say you are calling from Bright Smiles about Tuesday.',
    });
    expect(response.status).toBe(201);
    const { callSid } = (await response.json()) as { callSid: string };
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);
    const placed = harness.twilio.calls.at(-1)!;
    expect(placed).toMatchObject({ sid: callSid, to: CALLEE, from: SIM_PHONE_NUMBER, machineDetection: 'Enable' });

    const caller = await placed.answered;
    await playScenario(caller, scenario);
    const record = await operatorApi(harness, TOKEN).waitForCall(callSid, (call) => call.summary !== null, 'the post-call summary');

    const told = toldTheModel(harness.simulator, 0);
    expect(told.instructions).toBe('You are calling to confirm a dentist appointment on Tuesday.');
    expect(told.responses[0]).toContain('Say you are calling from Bright Smiles about Tuesday.');
    expect(record).toMatchObject({ direction: 'outbound', from: SIM_PHONE_NUMBER, to: CALLEE, status: 'completed' });
    expect(record.turns.filter((turn) => turn.role === 'user')).toHaveLength(1);
    expect(record.turns.filter((turn) => turn.role === 'assistant').length).toBeGreaterThanOrEqual(2);

    const api = await fetch(`${harness.server.url}/api/calls`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const listed = ((await api.json()) as { calls: { callSid: string; direction: string }[] }).calls.find((call) => call.callSid === callSid);
    expect(listed?.direction).toBe('outbound');
  });

  it('applies the script to its own call only: the next inbound call gets the configured bot', async () => {
    const caller = await harness.caller({ from: '+14155550100' }).dial();
    await caller.waitForBotReply(1);
    await caller.hangUp();
    const told = toldTheModel(harness.simulator, 1);
    expect(told.instructions).toBe(DEFAULT_INSTRUCTIONS);
    const stored = await operatorApi(harness, TOKEN).waitForCall(caller.callSid, (call) => call.status === 'completed', 'the inbound call to be stored');
    expect(stored.direction).toBe('inbound');
  });
});

// Each test runs its own stack and call: side by side.
describe.concurrent('an outbound call that a machine answers', () => {
  it('is hung up at once with ANSWERING_MACHINE=hang-up: no model session, nothing to record', async () => {
    const harness = await startHarness({ simulator: { scenario }, twilio: { answeredBy: 'machine_start' }, env: { OPERATOR_TOKEN: TOKEN } });
    try {
      const response = await post(harness, { to: CALLEE });
      expect(response.status).toBe(201);
      const caller = await harness.twilio.calls[0]!.answered;
      expect(caller.continuation).toEqual({ hangup: true });
      expect(harness.simulator.sessions).toHaveLength(0);
      expect(await operatorApi(harness, TOKEN).calls()).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  it('gets the greeting as a voicemail with ANSWERING_MACHINE=leave-message', async () => {
    const harness = await startHarness({
      simulator: { scenario },
      twilio: { answeredBy: 'machine_end_beep' },
      env: { OPERATOR_TOKEN: TOKEN, ANSWERING_MACHINE: 'leave-message' },
    });
    try {
      const response = await post(harness, { to: CALLEE, greeting: 'Remind them of the Tuesday appointment.' });
      expect(response.status).toBe(201);
      expect(harness.twilio.calls[0]!.machineDetection).toBe('DetectMessageEnd');
      const caller = await harness.twilio.calls[0]!.answered;
      await caller.waitForBotReply(1);
      await caller.hangUp();
      const [greeting] = toldTheModel(harness.simulator, 0).responses;
      expect(greeting).toContain('An answering machine took this call');
      expect(greeting).toContain('Remind them of the Tuesday appointment.');
    } finally {
      await harness.close();
    }
  });
});
