import { describe, expect, it } from 'vitest';
import { FeedRelay, LiveFeed } from '../../../src/store/live-feed.js';
import type { FeedNotice } from '../../../src/store/feed-notice.js';
import { silentLogger } from '../../../src/log.js';
import type { CallStore } from '../../../src/store/call-store.js';

/** A store that hands the relay its notices and counts the rows read back for them. */
function fakeStore() {
  let deliver: ((notice: FeedNotice) => void) | undefined;
  const reads: string[] = [];
  const store = {
    onFeedNotice: async (onNotice: (notice: FeedNotice) => void) => {
      deliver = onNotice;
      return async () => undefined;
    },
    getCall: async (callSid: string) => {
      reads.push(callSid);
      return { callSid, startedAt: new Date(0), from: '+14155550100', to: null };
    },
  } as unknown as CallStore;
  return { store, reads, notify: (notice: FeedNotice) => deliver!(notice) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the live feed relay', () => {
  it('reads nothing back while no dashboard watches, and relays once one does', async () => {
    const { store, reads, notify } = fakeStore();
    const feed = new LiveFeed();
    const relay = new FeedRelay(store, feed, silentLogger());
    await relay.start();

    notify({ kind: 'call', callSid: 'CA1' });
    await settle();
    expect(reads).toEqual([]);

    const started: string[] = [];
    feed.on('callStarted', (event) => started.push(event.callSid));
    notify({ kind: 'call', callSid: 'CA2' });
    await settle();
    expect(reads).toEqual(['CA2']);
    expect(started).toEqual(['CA2']);
    await relay.close();
  });
});
