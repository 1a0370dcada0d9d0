import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { SerialWriter } from '../../../src/store/serial-writer.js';

// The backoff is on a fake clock: each test moves time exactly as far as the behaviour needs.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SerialWriter', () => {
  it('writes in order, retrying a failed write before anything queued after it, with doubling backoff', async () => {
    const written: string[] = [];
    let attempts = 0;
    let retries = 0;
    const writer = new SerialWriter({ logger: silentLogger(), baseDelayMs: 100, onRetry: () => retries++ });
    writer.write('turn 1', async () => {
      if (attempts++ < 2) throw new Error('database unavailable');
      written.push('turn 1');
    });
    writer.write('turn 1 update', async () => void written.push('turn 1 update'));
    writer.write('ending', async () => void written.push('ending'));

    await vi.advanceTimersByTimeAsync(99);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toBe(2);
    // The second failure waits twice as long, and nothing queued behind it is written meanwhile.
    await vi.advanceTimersByTimeAsync(199);
    expect([attempts, written]).toEqual([2, []]);
    await vi.advanceTimersByTimeAsync(1);
    expect(written).toEqual(['turn 1', 'turn 1 update', 'ending']);
    expect([retries, writer.pending]).toEqual([2, 0]);
  });

  it('keeps the pending count for metrics', async () => {
    let pending = 0;
    const writer = new SerialWriter({ logger: silentLogger(), onPendingChange: (delta) => (pending += delta) });
    let release!: () => void;
    writer.write('slow', () => new Promise<void>((resolve) => (release = resolve)));
    writer.write('next', async () => undefined);
    expect(pending).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(pending).toBe(2);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect([pending, writer.pending]).toEqual([0, 0]);
  });

  it('reports at shutdown how many writes could not be stored, and takes no more', async () => {
    const writer = new SerialWriter({ logger: silentLogger(), baseDelayMs: 60_000 });
    writer.write('doomed', async () => {
      throw new Error('database gone');
    });
    writer.write('behind it', async () => undefined);
    await vi.advanceTimersByTimeAsync(0);
    const flushed = writer.flush(20);
    await vi.advanceTimersByTimeAsync(20);
    expect(await flushed).toBe(2);
    writer.write('late', async () => undefined);
    expect(writer.pending).toBe(2);
  });

  it('retries once more right away at shutdown instead of waiting out the backoff', async () => {
    let attempts = 0;
    const writer = new SerialWriter({ logger: silentLogger(), baseDelayMs: 60_000 });
    writer.write('flaky', async () => {
      if (attempts++ === 0) throw new Error('blip');
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toBe(1);
    // No clock moves: the retry comes from flush itself, not from the 60 s backoff running out.
    expect(await writer.flush(1000)).toBe(0);
    expect(attempts).toBe(2);
  });
});
