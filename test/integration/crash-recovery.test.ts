import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerClip, voiceClip } from '../../src/sim/assets.js';
import { SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, waitFor } from '../../src/sim/offline-stack.js';
import { OpenAiHttpSimulator } from '../../src/sim/openai-http-simulator.js';
import { RealtimeSimulator } from '../../src/sim/realtime/simulator.js';
import { englishSupportCall } from '../../src/sim/scenarios.js';
import { SimulatedCaller } from '../../src/sim/twilio-caller.js';
import { simulatedServerEnv, startSpawnedServer, type SpawnedServer } from '../support/spawned-server.js';

const TOKEN = 'operator-token-0123456789';

describe('a crash mid-call', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'callbridge-crash-'));
  let realtime: RealtimeSimulator;
  let openai: OpenAiHttpSimulator;
  let env: Record<string, string>;
  const instances: SpawnedServer[] = [];

  beforeAll(async () => {
    realtime = await new RealtimeSimulator({ scenario: englishSupportCall }).start();
    openai = await new OpenAiHttpSimulator().start();
    env = {
      ...simulatedServerEnv({ realtimeUrl: realtime.url, openaiUrl: openai.url }, TOKEN),
      PUBLIC_URL: '',
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      INSTANCE_ID: 'crash-test',
    };
  });
  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await realtime.close();
    await openai.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const callRecord = async (url: string, callSid: string) => {
    const response = await fetch(`${url}/api/calls/${callSid}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return response.ok ? ((await response.json()) as { status: string; turns: { role: string; text: string }[]; summary: { text: string } | null }) : undefined;
  };

  it('keeps what was said, marks the call interrupted on restart, and summarizes it', async () => {
    const first = await startSpawnedServer(env);
    instances.push(first);
    const caller = new SimulatedCaller({ serverUrl: first.url, authToken: SIM_AUTH_TOKEN, accountSid: SIM_ACCOUNT_SID });
    await caller.dial();
    await caller.waitForBotReply(1);
    void caller.say(callerClip('en-order-status').mulaw);
    await waitFor(async () => ((await callRecord(first.url, caller.callSid))?.turns.length ?? 0) >= 2, 'two stored turns', 20_000);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await caller.waitForClose();

    const second = await startSpawnedServer(env);
    instances.push(second);
    await waitFor(async () => (await callRecord(second.url, caller.callSid))?.summary != null, 'the summary after restart', 20_000);
    const call = (await callRecord(second.url, caller.callSid))!;
    expect(call.status).toBe('interrupted');
    expect(call.turns.slice(0, 2).map((turn) => [turn.role, turn.text])).toEqual([
      ['assistant', voiceClip('greeting-en').text],
      ['user', callerClip('en-order-status').transcript],
    ]);
    expect(call.summary!.text).toContain('four five seven two');
    second.child.kill('SIGTERM');
    expect(await new Promise((resolve) => second.child.once('exit', resolve))).toBe(0);
  });
});
