import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../../src/store/index.js';
import { TEST_INSTANCE_ID, openTestStores, type TestStore } from '../../support/store.js';

const backends = await openTestStores();

const BASE_MS = Date.parse('2025-03-01T10:00:00.000Z');
/** A fixed instant `minutes` after the test epoch. */
const at = (minutes: number) => new Date(BASE_MS + minutes * 60_000);

describe.each(backends)('JobQueue on $name', (backend) => {
  describe.skipIf(backend.skipReason !== null)(backend.skipReason ?? 'in a fresh database', () => {
    let db: TestStore;
    let jobs: JobQueue;

    beforeAll(async () => {
      db = await backend.open();
      jobs = db.jobs;
    });
    afterAll(() => db?.cleanup());
    beforeEach(async () => {
      await db.reset();
      for (const callSid of ['CA1', 'CA2']) await db.store.createCall({ callSid, startedAt: at(0), instanceId: TEST_INSTANCE_ID });
    });

    it('enqueue keeps one job per kind and call, even after it is done', async () => {
      expect(await jobs.enqueue('post-call-summary', 'CA1', { attempt: 'first' })).toBe(true);
      expect(await jobs.enqueue('post-call-summary', 'CA1', { attempt: 'second' })).toBe(false);
      expect(await jobs.enqueue('webhook', 'CA1')).toBe(true);
      expect(await db.pendingJobs('post-call-summary')).toBe(1);
      expect(await db.pendingJobs()).toBe(2);

      const job = await jobs.claim(['post-call-summary'], 60_000);
      expect(job).toEqual({
        id: job!.id,
        kind: 'post-call-summary',
        callSid: 'CA1',
        payload: { attempt: 'first' },
        attempts: 1,
      });
      await jobs.complete(job!.id);
      expect(await jobs.enqueue('post-call-summary', 'CA1')).toBe(false);
      expect(await db.pendingJobs('post-call-summary')).toBe(0);
      expect(await jobs.claim(['post-call-summary'], 0)).toBeUndefined();
    });

    it('claims only due jobs of the asked kinds, and a claimed job stays locked', async () => {
      await jobs.enqueue('webhook', 'CA1', {}, at(0));
      await jobs.enqueue('webhook', 'CA2', {}, new Date(Date.now() + 60 * 60_000));

      expect(await jobs.claim(['post-call-summary'], 60_000)).toBeUndefined();
      expect(await jobs.claim([], 60_000)).toBeUndefined();
      const first = await jobs.claim(['post-call-summary', 'webhook'], 60_000);
      expect(first).toMatchObject({ callSid: 'CA1', attempts: 1 });
      expect(await jobs.claim(['webhook'], 60_000)).toBeUndefined();
      expect(await db.pendingJobs('webhook')).toBe(2);
    });

    it('a job whose worker died (lock expired) is claimed again', async () => {
      await jobs.enqueue('webhook', 'CA1');
      // A zero lock has expired by the next statement.
      const first = await jobs.claim(['webhook'], 0);
      const second = await jobs.claim(['webhook'], 60_000);
      expect(second).toMatchObject({ id: first!.id, attempts: 2 });
    });

    it('concurrent claims never return the same job', async () => {
      await jobs.enqueue('webhook', 'CA1');
      await jobs.enqueue('webhook', 'CA2');
      const [a, b, c] = await Promise.all([0, 1, 2].map(() => jobs.claim(['webhook'], 60_000)));
      const claimed = [a, b, c].filter((job) => job !== undefined);
      expect(claimed.map((job) => job.callSid).sort()).toEqual(['CA1', 'CA2']);
    });

    it.runIf(backend.name === 'postgres')(
      'a job row locked by another instance is skipped, not waited for',
      async () => {
        await jobs.enqueue('webhook', 'CA1', {}, at(0));
        await jobs.enqueue('webhook', 'CA2', {}, at(1));
        const peer = await db.openPeer!();
        const claimedMeanwhile = await peer.transaction(async (tx) => {
          // Another instance is between picking CA1's job and committing its claim.
          await tx.query(`SELECT id FROM jobs WHERE call_sid = 'CA1' FOR UPDATE`);
          return jobs.claim(['webhook'], 60_000);
        });
        expect(claimedMeanwhile).toMatchObject({ callSid: 'CA2' });
      },
    );

    it('retry records the error and hides the job until it is due again', async () => {
      await jobs.enqueue('webhook', 'CA1');
      const job = await jobs.claim(['webhook'], 60_000);
      await jobs.retry(job!.id, 'HTTP 503 from webhook', new Date(Date.now() + 60 * 60_000));

      expect(await jobs.claim(['webhook'], 60_000)).toBeUndefined();
      const [row] = await db.client.query<{ last_error: string; locked_until: Date | null }>(
        'SELECT last_error, locked_until FROM jobs WHERE id = $1',
        [job!.id],
      );
      expect(row).toEqual({ last_error: 'HTTP 503 from webhook', locked_until: null });

      await jobs.retry(job!.id, 'HTTP 503 from webhook', at(0));
      expect(await jobs.claim(['webhook'], 60_000)).toMatchObject({ id: job!.id, attempts: 2 });
    });

    it('kill keeps the last error and the job is never claimed again', async () => {
      await jobs.enqueue('webhook', 'CA1');
      const job = await jobs.claim(['webhook'], 0);
      await jobs.kill(job!.id, 'HTTP 404 from webhook');

      expect(await jobs.claim(['webhook'], 60_000)).toBeUndefined();
      expect(await db.pendingJobs('webhook')).toBe(0);
      expect((await db.store.getCall('CA1'))!.jobs).toEqual([
        { kind: 'webhook', status: 'dead', attempts: 1, lastError: 'HTTP 404 from webhook' },
      ]);
    });
  });
});
