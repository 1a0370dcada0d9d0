import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../../src/errors.js';
import { JobRunner, type JobHandler } from '../../../src/jobs/job-runner.js';
import { silentLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import type { Job } from '../../../src/store/types.js';
import { TEST_INSTANCE_ID, openTestStores, type TestStore } from '../../support/store.js';

const [embedded] = await openTestStores();

describe('JobRunner', () => {
  let store: TestStore;
  let runner: JobRunner | undefined;

  beforeAll(async () => {
    store = await embedded!.open();
  });
  afterAll(() => store.cleanup());

  beforeEach(async () => {
    await store.reset();
    // Timers only: due jobs are chosen by the database's clock, which Date has to keep agreeing with.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await store.store.createCall({ callSid: 'CA1', startedAt: new Date(), instanceId: TEST_INSTANCE_ID });
    await store.store.createCall({ callSid: 'CA2', startedAt: new Date(), instanceId: TEST_INSTANCE_ID });
  });
  afterEach(async () => {
    await stop();
    runner = undefined;
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  function start(handlers: JobHandler[], retryDelayMs = () => 0) {
    runner = new JobRunner({ queue: store.jobs, handlers, logger: silentLogger(), metrics: new Metrics(), pollMs: 10, retryDelayMs });
    runner.start();
    return runner;
  }

  /** Advances the fake clock a poll at a time until `condition` holds; fails after 5 s of real time. */
  const until = (condition: () => boolean) =>
    vi.waitFor(
      () => {
        if (!condition()) throw new Error('condition not met yet');
      },
      { timeout: 5000, interval: 10 },
    );

  /** A runner between polls stops at its next one, so the fake clock has to reach it. */
  const stop = async () => {
    if (!runner) return;
    let stopped = false;
    void runner.stop().then(() => (stopped = true));
    await until(() => stopped);
  };

  it('runs each queued job once and marks it done', async () => {
    const ran: string[] = [];
    await store.jobs.enqueue('summary', 'CA1');
    await store.jobs.enqueue('summary', 'CA2');
    start([{ kind: 'summary', run: async (job) => void ran.push(job.callSid) }]);
    await until(() => ran.length === 2);
    await stop();
    expect(ran.sort()).toEqual(['CA1', 'CA2']);
    expect(await store.pendingJobs('summary')).toBe(0);
  });

  it('stops retrying a job that failed for good: it is marked dead with its error, visible on the call, and counted', async () => {
    const attempts: number[] = [];
    const metrics = new Metrics();
    await store.jobs.enqueue('summary', 'CA1');
    await store.jobs.enqueue('summary', 'CA2');
    runner = new JobRunner({
      queue: store.jobs,
      logger: silentLogger(),
      metrics,
      pollMs: 10,
      retryDelayMs: () => 0,
      handlers: [
        {
          kind: 'summary',
          run: async (job: Job) => {
            attempts.push(job.attempts);
            if (job.callSid === 'CA1') throw new UpstreamError('webhook_rejected', 'summary webhook answered HTTP 404', false);
          },
        },
      ],
    });
    runner.start();
    // A retried job would be left pending with its error; a dead one is never claimed again.
    await until(() => attempts.length >= 2);
    await stop();
    expect(attempts).toEqual([1, 1]);
    expect(await store.pendingJobs('summary')).toBe(0);
    expect((await store.store.getCall('CA1'))!.jobs).toEqual([
      { kind: 'summary', status: 'dead', attempts: 1, lastError: 'summary webhook answered HTTP 404' },
    ]);
    expect((await store.store.getCall('CA2'))!.jobs).toEqual([{ kind: 'summary', status: 'done', attempts: 1, lastError: null }]);
    expect((await metrics.registry.getSingleMetricAsString('callbridge_jobs_total'))).toContain('outcome="dead"} 1');
  });

  it('retries a failing job with the attempt count until it succeeds', async () => {
    const attempts: number[] = [];
    await store.jobs.enqueue('summary', 'CA1');
    start([
      {
        kind: 'summary',
        run: async (job: Job) => {
          attempts.push(job.attempts);
          if (job.attempts < 3) throw new Error('model unavailable');
        },
      },
    ]);
    await until(() => attempts.length === 3);
    await stop();
    expect(attempts).toEqual([1, 2, 3]);
    expect(await store.pendingJobs('summary')).toBe(0);
  });

  it('does not run a failed job again before its backoff has passed', async () => {
    let runs = 0;
    await store.jobs.enqueue('summary', 'CA1');
    const failing: JobHandler = {
      kind: 'summary',
      run: async () => {
        runs++;
        throw new Error('down');
      },
    };
    start([failing], () => 60_000);
    await until(() => runs === 1);
    // Many polls inside the backoff find nothing due.
    const claims = vi.spyOn(store.jobs, 'claim');
    await until(() => claims.mock.calls.length >= 20);
    await stop();
    expect(runs).toBe(1);
    expect(await store.pendingJobs('summary')).toBe(1);
  });

  it('wakes up at once when kicked instead of waiting for the next poll', async () => {
    const ran: string[] = [];
    runner = new JobRunner({ queue: store.jobs, handlers: [{ kind: 'summary', run: async (job) => void ran.push(job.callSid) }], logger: silentLogger(), metrics: new Metrics(), pollMs: 60_000 });
    const claims = vi.spyOn(store.jobs, 'claim');
    runner.start();
    // Once its first look finds nothing the runner idles, its next poll a minute away on a clock
    // that moves only as `until` advances it, a few seconds at most.
    await claims.mock.results[0]!.value;
    await store.jobs.enqueue('summary', 'CA1');
    runner.kick();
    await until(() => ran.length === 1);
    expect(ran).toEqual(['CA1']);
  });
});
