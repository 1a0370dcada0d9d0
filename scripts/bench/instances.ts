import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, startOfflineStack, type OfflineStack } from '../../src/sim/offline-stack.js';
import { englishSupportCall } from '../../src/sim/scenarios.js';
import { SimulatedCaller } from '../../src/sim/twilio-caller.js';
import { percentile } from '../lib/stats.js';
import type { BenchSection } from './report.js';

const ADMIN_URL = process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const PUBLIC_URL = 'https://callbridge.example.test';
const CALLS_PER_PATH = 8;

/**
 * Time to first bot audio with two instances on one PostgreSQL: a call whose webhook and stream reach
 * the same instance (its model session opened at webhook time, greeting at stream start) against a
 * split call (the stream's instance opens its session only when the stream arrives).
 */
export async function benchInstances(): Promise<BenchSection> {
  const database = `callbridge_bench_${randomBytes(5).toString('hex')}`;
  try {
    await admin(`CREATE DATABASE ${database}`);
  } catch (error) {
    return { title: 'Several instances (time to first bot audio)', rows: [{ metric: 'skipped', value: 'no PostgreSQL', note: String(error) }] };
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const env = { DATABASE_URL: url.toString(), PUBLIC_URL };
  const stacks: OfflineStack[] = [];
  try {
    const a = await startOfflineStack({ simulator: { scenario: englishSupportCall }, env: { ...env, INSTANCE_ID: 'bench-a' }, persistent: true });
    stacks.push(a);
    const b = await startOfflineStack({ simulator: { scenario: englishSupportCall }, env: { ...env, INSTANCE_ID: 'bench-b' }, persistent: true });
    stacks.push(b);
    const firstAudio = async (webhookTo: OfflineStack, streamTo: OfflineStack): Promise<number> => {
      const caller = new SimulatedCaller({ serverUrl: webhookTo.server.url, streamServerUrl: streamTo.server.url, publicUrl: PUBLIC_URL, authToken: SIM_AUTH_TOKEN, accountSid: SIM_ACCOUNT_SID });
      await caller.dial();
      await caller.waitForBotReply(1, 100);
      await caller.hangUp();
      return (caller.firstBotAudioAtMs ?? Number.NaN) - caller.startedAtMs;
    };
    const same: number[] = [];
    const split: number[] = [];
    // One call at a time, alternating, so both paths see the same machine.
    for (let index = 0; index < CALLS_PER_PATH; index++) {
      same.push(await firstAudio(a, a));
      split.push(await firstAudio(a, b));
    }
    const summary = (values: number[]) => `p50 ${percentile(values, 50).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;
    return {
      title: 'Several instances (time to first bot audio)',
      rows: [
        { metric: 'Webhook and stream on one instance', value: summary(same), note: `stream start -> first bot audio at the phone; model session opened at webhook time, greeting asked at stream start; ${CALLS_PER_PATH} calls; the simulator's first delta comes 250 ms after response.create` },
        { metric: 'Split call (webhook on A, stream on B)', value: summary(split), note: 'B opens and configures its model session when the stream arrives, then greets; A closes its unused session at its stream timeout without generating anything. The simulator answers a connection at once: against OpenAI the split path also pays the socket, TLS and session.update round trips' },
      ],
    };
  } finally {
    for (const stack of stacks.reverse()) await stack.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
