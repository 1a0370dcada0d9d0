import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Maintenance } from '../../../src/jobs/maintenance.js';
import { silentLogger } from '../../../src/log.js';
import { TEST_INSTANCE_ID, openTestStores, type TestStore } from '../../support/store.js';

const [embedded] = await openTestStores();
const DAY_MS = 86_400_000;

describe('Maintenance', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await embedded!.open();
  });
  afterAll(() => store.cleanup());
  beforeEach(() => store.reset());

  it('purges calls that ended before the retention period, and keeps the rest', async () => {
    const now = Date.now();
    for (const [callSid, endedDaysAgo] of [['CAold', 40], ['CArecent', 5]] as const) {
      const startedAt = new Date(now - endedDaysAgo * DAY_MS - 60_000);
      await store.store.createCall({ callSid, startedAt, instanceId: TEST_INSTANCE_ID });
      await store.store.endCall(callSid, { status: 'completed', endedAt: new Date(now - endedDaysAgo * DAY_MS), endReason: 'caller hung up' });
    }
    await new Maintenance({ store: store.store, logger: silentLogger(), retentionDays: 30 }).purge();
    expect(await store.store.getCall('CAold')).toBeUndefined();
    expect(await store.store.getCall('CArecent')).toBeDefined();
  });

  it('keeps everything when no retention is set', async () => {
    await store.store.createCall({ callSid: 'CAold', startedAt: new Date(0), instanceId: TEST_INSTANCE_ID });
    await store.store.endCall('CAold', { status: 'completed', endedAt: new Date(1000), endReason: 'caller hung up' });
    await new Maintenance({ store: store.store, logger: silentLogger(), retentionDays: undefined }).purge();
    expect(await store.store.getCall('CAold')).toBeDefined();
  });

  it('marks calls that no instance has touched lately as interrupted, queues their summary, and says so', async () => {
    let orphansFound = 0;
    await store.store.createCall({ callSid: 'CAorphan', startedAt: new Date(), instanceId: 'another-instance' });
    const maintenance = new Maintenance({
      store: store.store,
      logger: silentLogger(),
      retentionDays: undefined,
      staleAfterMs: -1000,
      onOrphansFound: () => orphansFound++,
    });
    await maintenance.sweepStaleCalls();
    expect((await store.store.getCall('CAorphan'))?.status).toBe('interrupted');
    expect(await store.pendingJobs('post-call-summary')).toBe(1);
    expect(orphansFound).toBe(1);
    await maintenance.sweepStaleCalls();
    expect(orphansFound).toBe(1);
  });
});
