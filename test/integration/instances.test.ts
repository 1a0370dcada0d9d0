import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerClip } from '../../src/sim/assets.js';
import { SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, waitFor } from '../../src/sim/offline-stack.js';
import { OpenAiHttpSimulator } from '../../src/sim/openai-http-simulator.js';
import { RealtimeSimulator } from '../../src/sim/realtime/simulator.js';
import { englishSupportCall } from '../../src/sim/scenarios.js';
import { SimulatedCaller } from '../../src/sim/twilio-caller.js';
import { withoutTools } from '../support/scenarios.js';
import { simulatedServerEnv, startSpawnedServer, type SpawnedServer } from '../support/spawned-server.js';

const TOKEN = 'instances-operator-token';
const ADMIN_URL = process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
/** What Twilio signs against: one public URL in front of both instances, as behind a load balancer. */
const PUBLIC_URL = 'https://callbridge.example.test';
const STREAM_TIMEOUT_SECONDS = 3;

const postgres = await probe(ADMIN_URL);

interface Instance extends SpawnedServer {
  name: string;
}

interface FeedEvent {
  event: string;
  data: { callSid?: string; seq?: number; role?: string };
  atMs: number;
}

async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  return { name, ...(await startSpawnedServer({ ...env, INSTANCE_ID: name })) };
}

/** An operator's dashboard connected to one instance: every live-feed event, when it arrived. */
function watchFeed(instance: Instance): { events: FeedEvent[]; close(): void } {
  const events: FeedEvent[] = [];
  const abort = new AbortController();
  void (async () => {
    const response = await fetch(`${instance.url}/api/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as FeedEvent['data'], atMs: performance.now() });
      }
    }
  })().catch(() => undefined);
  return { events, close: () => abort.abort() };
}

describe.skipIf(postgres !== null)(postgres ? `several instances (skipped: ${postgres})` : 'several instances on one PostgreSQL', () => {
  const database = `callbridge_instances_${randomBytes(5).toString('hex')}`;
  let realtime: RealtimeSimulator;
  let openai: OpenAiHttpSimulator;
  let env: Record<string, string>;
  let a: Instance;
  let b: Instance;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await admin((client) => client.query(`CREATE DATABASE ${database}`));
    realtime = await new RealtimeSimulator({ scenario: withoutTools(englishSupportCall) }).start();
    openai = await new OpenAiHttpSimulator().start();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    env = {
      ...simulatedServerEnv({ realtimeUrl: realtime.url, openaiUrl: openai.url }, TOKEN),
      PUBLIC_URL,
      DATABASE_URL: url.toString(),
      MEDIA_STREAM_TIMEOUT_SECONDS: String(STREAM_TIMEOUT_SECONDS),
      HEARTBEAT_SECONDS: '2',
      ORPHAN_AFTER_SECONDS: '6',
      SHUTDOWN_TIMEOUT_SECONDS: '1',
    };
    a = await startInstance('instance-a', env);
    b = await startInstance('instance-b', env);
    children.push(a.child, b.child);
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
    await realtime?.close();
    await openai?.close();
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
  });

  const record = async (instance: Instance, callSid: string) => {
    const response = await fetch(`${instance.url}/api/calls/${callSid}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return response.ok
      ? ((await response.json()) as { status: string; endReason: string | null; turns: { seq: number; role: string }[]; summary: unknown })
      : undefined;
  };
  const splitCaller = (webhookTo: Instance, streamTo: Instance) =>
    new SimulatedCaller({ serverUrl: webhookTo.url, streamServerUrl: streamTo.url, publicUrl: PUBLIC_URL, authToken: SIM_AUTH_TOKEN, accountSid: SIM_ACCOUNT_SID });

  it('a split call (webhook on A, stream on B) stays in progress past the stream timeout and ends completed; both feeds carry it live', async () => {
    const feedA = watchFeed(a);
    const feedB = watchFeed(b);
    try {
      const sessionsBefore = realtime.sessions.length;
      const caller = splitCaller(a, b);
      await caller.dial();
      await caller.waitForBotReply(1);
      await caller.say(callerClip('en-order-status').mulaw);
      await caller.waitForBotReply(2);
      // Well past A's stream timeout, with B still serving the call.
      await new Promise((resolve) => setTimeout(resolve, STREAM_TIMEOUT_SECONDS * 1000 + 1000));
      expect((await record(a, caller.callSid))?.status).toBe('in-progress');

      // A opened a model session at webhook time and B one at stream time; only B's greeted, and A's
      // was closed at its timeout.
      const sessions = realtime.sessions.slice(sessionsBefore);
      expect(sessions).toHaveLength(2);
      const [webhookSession, streamSession] = sessions;
      expect(webhookSession!.responses).toEqual([]);
      expect(webhookSession!.isOpen).toBe(false);
      expect(streamSession!.responses.map((response) => response.reply)).toEqual(['greeting-en', 'order-en']);

      await caller.say(callerClip('en-change-address').mulaw);
      await caller.waitForBotReply(3);
      await caller.hangUp();
      await waitFor(async () => (await record(a, caller.callSid))?.status === 'completed', 'the call to end', 10_000);
      expect((await record(b, caller.callSid))?.endReason).toBe('caller hung up');

      // Each turn B stored reached A's operators within a second of B's own.
      const turns = (await record(a, caller.callSid))!.turns;
      expect(turns).toHaveLength(5);
      for (const turn of turns) {
        const onB = feedB.events.find((event) => event.event === 'turn' && event.data.callSid === caller.callSid && event.data.seq === turn.seq);
        await waitFor(() => feedA.events.some((event) => event.event === 'turn' && event.data.callSid === caller.callSid && event.data.seq === turn.seq), `turn ${turn.seq} on A`, 2000);
        const onA = feedA.events.find((event) => event.event === 'turn' && event.data.callSid === caller.callSid && event.data.seq === turn.seq)!;
        expect(onB).toBeDefined();
        expect(Math.abs(onA.atMs - onB!.atMs)).toBeLessThan(1000);
      }
      expect(feedA.events.some((event) => event.event === 'call-ended' && event.data.callSid === caller.callSid)).toBe(true);
    } finally {
      feedA.close();
      feedB.close();
    }
  }, 90_000);

  it('when the instance serving a call is killed, a live one marks it interrupted within 60 s, keeps its turns and summarizes it once', async () => {
    const caller = splitCaller(a, b);
    await caller.dial();
    await caller.waitForBotReply(1);
    await caller.say(callerClip('en-order-status').mulaw);
    await caller.waitForBotReply(2);
    await waitFor(async () => ((await record(a, caller.callSid))?.turns.length ?? 0) >= 3, 'three stored turns', 10_000);

    const killedAtMs = performance.now();
    b.child.kill('SIGKILL');
    await new Promise((resolve) => b.child.once('exit', resolve));
    await waitFor(async () => (await record(a, caller.callSid))?.status === 'interrupted', 'A to close out the call', 60_000);
    const noticedMs = performance.now() - killedAtMs;
    expect(noticedMs).toBeLessThan(60_000);

    await waitFor(async () => (await record(a, caller.callSid))?.summary != null, 'the summary', 20_000);
    const call = (await record(a, caller.callSid))!;
    expect(call.turns.map((turn) => turn.role).slice(0, 3)).toEqual(['assistant', 'user', 'assistant']);
    expect(await countSummaries(database, caller.callSid)).toBe(1);
  }, 120_000);
});

async function probe(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return `no PostgreSQL at ${new URL(url).host} (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin<T>(run: (client: pg.Client) => Promise<T>, databaseName?: string): Promise<T> {
  const url = new URL(ADMIN_URL);
  if (databaseName) url.pathname = `/${databaseName}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function countSummaries(databaseName: string, callSid: string): Promise<number> {
  return admin(async (client) => {
    const result = await client.query<{ count: string }>(`SELECT count(*) FROM summaries WHERE call_sid = $1 AND kind = 'post-call'`, [callSid]);
    return Number(result.rows[0]!.count);
  }, databaseName);
}
