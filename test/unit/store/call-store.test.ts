import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import {
  migrate,
  type CallListItem,
  CallStore,
  type ListCallsQuery,
  type NewCall,
  type TurnRecord,
} from '../../../src/store/index.js';
import { TEST_INSTANCE_ID, openTestStores, type TestStore } from '../../support/store.js';

const backends = await openTestStores();

const BASE_MS = Date.parse('2025-03-01T10:00:00.000Z');
/** A fixed instant `minutes` after the test epoch. */
const at = (minutes: number) => new Date(BASE_MS + minutes * 60_000);

function newCall(callSid: string, startedAt: Date, extra: Partial<NewCall> = {}): NewCall {
  return { callSid, startedAt, instanceId: TEST_INSTANCE_ID, ...extra };
}

function turn(callSid: string, seq: number, extra: Partial<TurnRecord> = {}): TurnRecord {
  const text = extra.text ?? `turn ${seq}`;
  return {
    callSid,
    seq,
    role: seq % 2 === 0 ? 'user' : 'assistant',
    itemId: `item_${seq}`,
    text,
    heardText: text,
    interrupted: false,
    at: at(seq),
    ...extra,
  };
}

const ENDING = { status: 'completed', endedAt: at(5), endReason: 'caller hung up' } as const;
const sids = (calls: CallListItem[]) => calls.map((call) => call.callSid);

describe.each(backends)('CallStore on $name', (backend) => {
  describe.skipIf(backend.skipReason !== null)(backend.skipReason ?? 'in a fresh database', () => {
    let db: TestStore;
    let store: CallStore;

    beforeAll(async () => {
      db = await backend.open();
      store = db.store;
    });
    afterAll(() => db?.cleanup());
    beforeEach(() => db.reset());

    async function rawCount(sql: string, params: unknown[]): Promise<number> {
      const [row] = await db.client.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${sql}`, params);
      return row!.n;
    }

    /** Pushes a call's last sign of life into the past, as if its instance had died then. */
    async function age(callSid: string, minutesAgo: number): Promise<void> {
      await db.client.query(`UPDATE calls SET updated_at = now() - $2 * interval '1 minute', heartbeat_at = CASE WHEN heartbeat_at IS NULL THEN NULL ELSE now() - $2 * interval '1 minute' END WHERE call_sid = $1`, [
        callSid,
        minutesAgo,
      ]);
    }

    describe('migrations', () => {
      it('a second run applies nothing and records each version once', async () => {
        expect(await migrate(db.client)).toEqual([]);
        const rows = await db.client.query<{ version: number }>(
          'SELECT version FROM schema_migrations ORDER BY version',
        );
        expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
      });

      it.runIf(backend.name === 'postgres')('concurrent start-ups apply each migration exactly once', async () => {
        const fresh = await backend.open({ migrate: false });
        try {
          const peers = await Promise.all([fresh.openPeer!(), fresh.openPeer!(), fresh.openPeer!()]);
          const applied = await Promise.all(peers.map((peer) => migrate(peer)));
          expect(applied.flat().sort((a, b) => a - b)).toEqual(MIGRATIONS.map((migration) => migration.version));
          const [row] = await fresh.client.query<{ n: number }>('SELECT count(*)::integer AS n FROM schema_migrations');
          expect(row!.n).toBe(MIGRATIONS.length);
        } finally {
          await fresh.cleanup();
        }
      });
    });

    describe('calls and turns', () => {
      it('createCall is idempotent and only fills in parties that were missing', async () => {
        await store.createCall(newCall('CA1', at(0), { from: '+15550001' }));
        await store.createCall(newCall('CA1', at(1), { from: '+15559999', to: '+15550002' }));

        const call = await store.getCall('CA1');
        expect(call).toMatchObject({ callSid: 'CA1', status: 'in-progress', from: '+15550001', to: '+15550002' });
        expect(call!.startedAt).toEqual(at(0));
        expect(await rawCount('calls', [])).toBe(1);
      });

      it('keeps a call outbound once a webhook said so, in the detail and the list', async () => {
        await store.createCall(newCall('CA1', at(0)));
        await store.createCall(newCall('CA1', at(0), { direction: 'outbound', to: '+15550002' }));
        await store.createCall(newCall('CA1', at(0)));
        await store.createCall(newCall('CA2', at(1)));
        expect((await store.getCall('CA1'))!.direction).toBe('outbound');
        const page = await store.listCalls({});
        expect(page.calls.map((call) => [call.callSid, call.direction])).toEqual([['CA2', 'inbound'], ['CA1', 'outbound']]);
      });

      it('hands an outbound request out once, and forgets it', async () => {
        await store.addOutboundRequest('req-1', { instructions: 'Confirm the appointment.', greeting: 'Say who is calling.' });
        await store.addOutboundRequest('req-2', {});
        expect(await store.takeOutboundRequest('req-1')).toEqual({ instructions: 'Confirm the appointment.', greeting: 'Say who is calling.' });
        expect(await store.takeOutboundRequest('req-1')).toBeUndefined();
        expect(await store.takeOutboundRequest('req-2')).toEqual({});
        expect(await store.takeOutboundRequest('unknown')).toBeUndefined();
      });

      it('saveTurn replaces a generated assistant turn with what the caller heard', async () => {
        await store.createCall(newCall('CA1', at(0)));
        const generated = turn('CA1', 1, { text: 'Our opening hours are nine to five, Monday to Friday.' });
        await store.saveTurn(generated);
        await store.saveTurn({ ...generated, heardText: 'Our opening hours are nine', interrupted: true });

        const call = await store.getCall('CA1');
        expect(call!.turns).toEqual([{ ...generated, heardText: 'Our opening hours are nine', interrupted: true }]);
      });

      it('keeps a turn\'s timing, added when the turn is saved again once measured', async () => {
        await store.createCall(newCall('CA1', at(0)));
        const spoken = turn('CA1', 2, { role: 'assistant', text: 'Your order ships tomorrow.' });
        await store.saveTurn(spoken);
        const timing = {
          responseId: 'resp_1',
          speechEndedMs: 2000,
          responseCreatedMs: 2010.5,
          firstDeltaMs: 2400,
          sentMs: 2400.3,
          heardMs: 2520,
          responseDoneMs: 3100,
          audioMs: 2400,
          toolMs: null,
          modelLatencyMs: 400,
          bridgeLatencyMs: 0.3,
          playbackStartMs: 119.7,
          totalMs: 520,
        };
        await store.saveTurn({ ...spoken, timing });
        expect(await store.getTurn('CA1', 2)).toEqual({ ...spoken, timing });
        expect((await store.getCall('CA1'))!.turns[0]!.timing).toEqual(timing);
        await store.saveTurn(turn('CA1', 1, { role: 'user', timing: { speechStartedMs: 500, speechEndedMs: 1900 } }));
        expect((await store.getCall('CA1'))!.turns[0]!.timing).toEqual({ speechStartedMs: 500, speechEndedMs: 1900 });
      });

      it('a turn for a call not recorded yet creates the call instead of being lost', async () => {
        await store.saveTurn(turn('CA1', 0, { at: at(2) }));
        expect(await store.getCall('CA1')).toMatchObject({ status: 'in-progress', from: null, startedAt: at(2) });

        await store.createCall(newCall('CA1', at(1), { from: '+15550001', to: '+15550002' }));
        const call = await store.getCall('CA1');
        expect(call).toMatchObject({ from: '+15550001', to: '+15550002', startedAt: at(1) });
        expect(call!.turns.map((t) => t.seq)).toEqual([0]);
      });

      it('setHandoff records the transfer, creating the call when nothing else recorded it yet', async () => {
        const handoff = { reason: 'wants a person', whisper: 'Caller asks about a refund.' };
        await store.setHandoff('CA1', handoff);
        expect(await store.getCall('CA1')).toMatchObject({ status: 'in-progress', handoff });

        await store.createCall(newCall('CA2', at(0), { from: '+15550001' }));
        await store.setHandoff('CA2', handoff);
        expect(await store.getCall('CA2')).toMatchObject({ from: '+15550001', startedAt: at(0), handoff });
        expect(await store.claimCall('CA1', 'MZ1')).toBe(true);
        expect(await store.getCall('CA1')).toMatchObject({ streamSid: 'MZ1', handoff });
      });

      it('getCall returns turns in seq order and the summaries split by kind', async () => {
        await store.createCall(newCall('CA1', at(0)));
        expect(await store.claimCall('CA1', 'MZ1')).toBe(true);
        for (const seq of [2, 0, 3, 1]) await store.saveTurn(turn('CA1', seq));
        const summary = { callSid: 'CA1', content: { topic: 'hours' }, model: 'gpt-test' };
        await store.addSummary({ ...summary, kind: 'in-call', text: 'first in-call', createdAt: at(2) });
        await store.addSummary({ ...summary, kind: 'in-call', text: 'second in-call', createdAt: at(3) });
        await store.addSummary({ ...summary, kind: 'post-call', text: 'older post-call', createdAt: at(6) });
        await store.addSummary({
          ...summary,
          kind: 'post-call',
          text: 'latest post-call',
          language: 'en',
          createdAt: at(7),
        });

        const call = await store.getCall('CA1');
        expect(call!.streamSid).toBe('MZ1');
        expect(call!.turns.map((t) => t.seq)).toEqual([0, 1, 2, 3]);
        expect(call!.turns[1]).toEqual(turn('CA1', 1));
        expect(call!.summary).toEqual({
          kind: 'post-call',
          text: 'latest post-call',
          language: 'en',
          content: { topic: 'hours' },
          model: 'gpt-test',
          createdAt: at(7),
        });
        expect(call!.inCallSummaries.map((s) => s.text)).toEqual(['first in-call', 'second in-call']);
        expect(await store.getCall('CA404')).toBeUndefined();
      });
    });

    describe('ending calls', () => {
      it('endCall records the ending and enqueues its jobs', async () => {
        await store.createCall(newCall('CA1', at(0)));
        const usage = { inputTokens: 120, outputTokens: 80, totalTokens: 200 };
        const figures = { firstAudioMs: 420, bargeInMs: null };
        const changed = await store.endCall(
          'CA1',
          { ...ENDING, language: 'fr', usage, figures },
          { enqueue: ['post-call-summary', 'webhook'] },
        );

        expect(changed).toBe(true);
        expect(await store.getCall('CA1')).toMatchObject({
          status: 'completed',
          endedAt: at(5),
          endReason: 'caller hung up',
          durationMs: 5 * 60_000,
          language: 'fr',
          usage,
          figures,
        });
        expect(await db.pendingJobs('post-call-summary')).toBe(1);
        expect(await db.pendingJobs('webhook')).toBe(1);
      });

      it('endCall never overwrites a final status, and then enqueues nothing', async () => {
        await store.createCall(newCall('CA1', at(0)));
        await store.endCall('CA1', ENDING, { enqueue: ['post-call-summary'] });

        const again = await store.endCall(
          'CA1',
          { status: 'failed', endedAt: at(9), endReason: 'model error' },
          { enqueue: ['webhook'] },
        );

        expect(again).toBe(false);
        expect(await store.getCall('CA1')).toMatchObject({ status: 'completed', endedAt: at(5) });
        expect(await db.pendingJobs('webhook')).toBe(0);
        expect(await store.endCall('CA404', ENDING)).toBe(false);
      });

      it('endCall is atomic: when enqueueing fails, the call stays in progress', async () => {
        await store.createCall(newCall('CA1', at(0)));
        // A null kind violates jobs.kind NOT NULL inside endCall's transaction.
        const failing = store.endCall('CA1', ENDING, { enqueue: ['post-call-summary', null as unknown as string] });

        await expect(failing).rejects.toMatchObject({ code: 'store_query_failed' });
        expect(await store.getCall('CA1')).toMatchObject({ status: 'in-progress', endedAt: null });
        expect(await db.pendingJobs()).toBe(0);
      });

      it("markOrphanedCalls interrupts this instance's live calls at their last turn", async () => {
        await store.createCall(newCall('CA1', at(0)));
        await store.saveTurn(turn('CA1', 0, { at: at(1) }));
        await store.saveTurn(turn('CA1', 1, { at: at(3) }));
        await store.createCall(newCall('CA2', at(0)));
        await store.createCall(newCall('CA3', at(0), { instanceId: 'other-instance' }));
        await store.createCall(newCall('CA4', at(0)));
        await store.endCall('CA4', ENDING);

        const orphaned = await store.markOrphanedCalls(TEST_INSTANCE_ID, { enqueue: ['post-call-summary'] });

        expect(orphaned.sort()).toEqual(['CA1', 'CA2']);
        expect(await store.getCall('CA1')).toMatchObject({
          status: 'interrupted',
          endedAt: at(3),
          endReason: 'process ended mid-call',
        });
        const withoutTurns = await store.getCall('CA2');
        expect(withoutTurns).toMatchObject({ status: 'interrupted', endReason: 'process ended mid-call' });
        expect(withoutTurns!.endedAt!.getTime()).toBeGreaterThan(at(0).getTime());
        expect(await store.getCall('CA3')).toMatchObject({ status: 'in-progress' });
        expect(await store.getCall('CA4')).toMatchObject({ status: 'completed', endReason: 'caller hung up' });
        expect(await db.pendingJobs('post-call-summary')).toBe(2);
        expect(await store.markOrphanedCalls(TEST_INSTANCE_ID, { enqueue: ['post-call-summary'] })).toEqual([]);
      });

      it('markStaleCalls interrupts live calls of any instance that went quiet', async () => {
        for (const [sid, instanceId] of [
          ['CA1', 'crashed-instance'],
          ['CA2', 'live-instance'],
          ['CA3', 'live-instance'],
          ['CA4', 'live-instance'],
          ['CA5', 'live-instance'],
        ] as const) {
          await store.createCall(newCall(sid, at(0), { instanceId }));
          await age(sid, 120);
        }
        await store.createCall(newCall('CA6', at(0)));
        // The owner's heartbeat and any write about a call not yet claimed count as signs of life.
        await db.client.query(`UPDATE calls SET owner_instance = $1 WHERE call_sid = 'CA2'`, [TEST_INSTANCE_ID]);
        await store.touchCalls(['CA2']);
        await store.saveTurn(turn('CA3', 0));
        await store.claimCall('CA4', 'MZ4');

        const stale = await store.markStaleCalls(new Date(Date.now() - 60 * 60_000), { enqueue: ['webhook'] });

        expect(stale.sort()).toEqual(['CA1', 'CA5']);
        expect(await store.getCall('CA1')).toMatchObject({
          status: 'interrupted',
          endReason: 'process ended mid-call',
        });
        for (const sid of ['CA2', 'CA3', 'CA4', 'CA6']) {
          expect(await store.getCall(sid)).toMatchObject({ status: 'in-progress' });
        }
        expect(await db.pendingJobs('webhook')).toBe(2);
      });

      it('only the instance holding the stream owns a call: others cannot claim it, end it or keep it alive', async () => {
        const other = new CallStore(db.client, { instanceId: 'other-instance' });
        await other.createCall(newCall('CA1', at(0), { instanceId: 'other-instance' }));
        expect(await store.claimCall('CA1', 'MZ1')).toBe(true);
        expect(await other.claimCall('CA1', 'MZ2')).toBe(false);
        expect(await other.ownedElsewhere('CA1')).toBe(true);
        expect(await store.ownedElsewhere('CA1')).toBe(false);

        expect(await other.endCall('CA1', { ...ENDING, status: 'failed', endReason: 'media stream never connected' })).toBe(false);
        await age('CA1', 120);
        await other.touchCalls(['CA1']);
        expect(await store.markOrphanedCalls('other-instance', { enqueue: [] })).toEqual([]);
        expect(await store.getCall('CA1')).toMatchObject({ status: 'in-progress', streamSid: 'MZ1' });

        expect(await store.endCall('CA1', ENDING)).toBe(true);
        expect(await store.getCall('CA1')).toMatchObject({ status: 'completed' });
      });

      it('touchCalls leaves ended calls alone', async () => {
        await store.createCall(newCall('CA1', at(0)));
        await store.endCall('CA1', ENDING);
        await age('CA1', 120);
        await store.touchCalls(['CA1', 'CA404']);
        expect(
          await rawCount(`calls WHERE call_sid = $1 AND updated_at < now() - interval '1 hour'`, ['CA1']),
        ).toBe(1);
      });
    });

    describe('listCalls', () => {
      /**
       * Ten calls, newest first by (startedAt, callSid): CA09 ... CA00, where CA04-CA06 start at
       * the same instant, so that paging must break ties by CallSid.
       */
      async function seedTen(): Promise<string[]> {
        const minutes = [0, 1, 2, 3, 4, 4, 4, 7, 8, 9];
        for (const [i, minute] of minutes.entries()) {
          const sid = `CA0${i}`;
          await store.createCall(newCall(sid, at(minute), { from: `+1555000${i}` }));
          if (i % 3 === 0) await store.endCall(sid, { ...ENDING, endedAt: at(minute + 1) });
        }
        return minutes.map((_, i) => `CA0${i}`).reverse();
      }

      async function walk(query: ListCallsQuery): Promise<{ sids: string[]; pages: number }> {
        const seen: string[] = [];
        let pages = 0;
        let cursor: string | undefined;
        do {
          const page = await store.listCalls({ ...query, cursor });
          pages += 1;
          seen.push(...sids(page.calls));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined && pages < 100);
        return { sids: seen, pages };
      }

      it('lists newest first with the fields of the list', async () => {
        const newestFirst = await seedTen();
        const page = await store.listCalls();
        expect(sids(page.calls)).toEqual(newestFirst);
        expect(page.nextCursor).toBeNull();
        expect(page.calls.at(-1)).toEqual({
          callSid: 'CA00',
          status: 'completed',
          startedAt: at(0),
          endedAt: at(1),
          from: '+15550000',
          to: null,
          direction: 'inbound',
          durationMs: 60_000,
          summary: null,
        });
        expect(page.calls[0]).toMatchObject({ callSid: 'CA09', status: 'completed', durationMs: 60_000 });
        expect(page.calls[1]).toMatchObject({
          callSid: 'CA08',
          status: 'in-progress',
          endedAt: null,
          durationMs: null,
        });
      });

      it('pages with the cursor across ties without duplicates or gaps', async () => {
        const newestFirst = await seedTen();
        for (const limit of [1, 2, 3, 4]) {
          const { sids: seen, pages } = await walk({ limit });
          expect(seen).toEqual(newestFirst);
          expect(pages).toBe(Math.ceil(newestFirst.length / limit));
        }
      });

      it('combines status, date and cursor filters', async () => {
        await seedTen();
        const inProgress = await walk({ status: 'in-progress', limit: 2 });
        expect(inProgress.sids).toEqual(['CA08', 'CA07', 'CA05', 'CA04', 'CA02', 'CA01']);

        // since is inclusive, until exclusive.
        const window = await walk({ since: at(4), until: at(8), limit: 2 });
        expect(window.sids).toEqual(['CA07', 'CA06', 'CA05', 'CA04']);

        const both = await store.listCalls({ status: 'completed', since: at(3) });
        expect(sids(both.calls)).toEqual(['CA09', 'CA06', 'CA03']);
      });

      it('caps the page size at 200', async () => {
        await db.client.query(
          `INSERT INTO calls (call_sid, status, started_at, instance_id)
           SELECT 'CB' || lpad(i::text, 3, '0'), 'in-progress', $1::timestamptz + i * interval '1 second', 'seed'
           FROM generate_series(1, 205) AS i`,
          [at(0)],
        );
        const first = await store.listCalls({ limit: 1000 });
        expect(first.calls).toHaveLength(200);
        expect(first.calls[0]!.callSid).toBe('CB205');
        const rest = await store.listCalls({ limit: 1000, cursor: first.nextCursor! });
        expect(sids(rest.calls)).toEqual(['CB005', 'CB004', 'CB003', 'CB002', 'CB001']);
        expect(rest.nextCursor).toBeNull();
      });

      it('searches turn and summary text, case-insensitively, with wildcards taken literally', async () => {
        await seedTen();
        await store.saveTurn(turn('CA02', 0, { text: 'I would like to BOOK a table for two' }));
        await store.saveTurn(turn('CA05', 3, { text: 'The refund is 100% processed' }));
        await store.addSummary({
          callSid: 'CA07',
          kind: 'post-call',
          content: {},
          text: 'Caller wanted to book a delivery slot',
          model: 'gpt-test',
        });
        await store.saveTurn(turn('CA08', 0, { text: 'The refund is 1000 dollars' }));

        expect(sids((await store.listCalls({ q: 'book' })).calls)).toEqual(['CA07', 'CA02']);
        expect(sids((await store.listCalls({ q: '100%' })).calls)).toEqual(['CA05']);
        expect(sids((await store.listCalls({ q: 'refund', status: 'in-progress' })).calls)).toEqual(['CA08', 'CA05']);
        expect(sids((await store.listCalls({ q: 'nobody said this' })).calls)).toEqual([]);
        expect((await walk({ q: 'book', limit: 1 })).sids).toEqual(['CA07', 'CA02']);
        expect((await store.listCalls({ q: '  ' })).calls).toHaveLength(10);
      });

      it("shows the latest post-call summary's text", async () => {
        await store.createCall(newCall('CA1', at(0)));
        const summary = { callSid: 'CA1', content: {}, model: 'gpt-test' };
        await store.addSummary({ ...summary, kind: 'post-call', text: 'first draft', createdAt: at(2) });
        await store.addSummary({ ...summary, kind: 'post-call', text: 'final', createdAt: at(3) });
        await store.addSummary({ ...summary, kind: 'in-call', text: 'running notes', createdAt: at(4) });

        expect((await store.listCalls()).calls[0]!.summary).toBe('final');
      });

      it('rejects a malformed cursor with a StoreError', async () => {
        for (const cursor of ['not a cursor', Buffer.from('["yesterday","CA1"]').toString('base64url')]) {
          const listing = store.listCalls({ cursor });
          await expect(listing).rejects.toBeInstanceOf(StoreError);
          await expect(listing).rejects.toMatchObject({ code: 'store_invalid_cursor' });
        }
      });
    });

    it('purgeCallsOlderThan deletes calls that ended before the date, and all about them', async () => {
      await store.createCall(newCall('CA_OLD', at(0)));
      await store.saveTurn(turn('CA_OLD', 0));
      await store.addSummary({ callSid: 'CA_OLD', kind: 'post-call', content: {}, text: 'old', model: 'gpt-test' });
      await store.endCall('CA_OLD', ENDING, { enqueue: ['webhook'] });
      await store.createCall(newCall('CA_LIVE', at(0)));
      await store.saveTurn(turn('CA_LIVE', 0));
      await store.createCall(newCall('CA_NEW', at(0)));
      await store.endCall('CA_NEW', { ...ENDING, endedAt: at(60 * 24 * 30) });

      expect(await store.purgeCallsOlderThan(at(60 * 24))).toBe(1);

      expect(await store.getCall('CA_OLD')).toBeUndefined();
      for (const table of ['turns', 'summaries', 'jobs']) {
        expect(await rawCount(`${table} WHERE call_sid = $1`, ['CA_OLD'])).toBe(0);
      }
      expect(await store.getCall('CA_LIVE')).toMatchObject({ status: 'in-progress' });
      expect((await store.getCall('CA_LIVE'))!.turns).toHaveLength(1);
      expect(await store.getCall('CA_NEW')).toMatchObject({ status: 'completed' });
      expect(await store.purgeCallsOlderThan(at(60 * 24))).toBe(0);
    });
  });
});
