import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { SerialWriter } from '../../../src/store/serial-writer.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('SerialWriter', () => {
  it('writes in order, retrying a failed write before anything queued after it', async () => {
    const written: string[] = [];
    let failuresLeft = 2;
    let retries = 0;
    const writer = new SerialWriter({ logger: silentLogger(), baseDelayMs: 1, onRetry: () => retries++ });
    writer.write('turn 1', async () => {
      if (failuresLeft-- > 0) throw new Error('database unavailable');
      written.push('turn 1');
    });
    writer.write('turn 1 update', async () => void written.push('turn 1 update'));
    writer.write('ending', async () => void written.push('ending'));
    while (writer.pending > 0) await tick();
    expect(written).toEqual(['turn 1', 'turn 1 update', 'ending']);
    expect(retries).toBe(2);
  });

  it('keeps the pending count for metrics', async () => {
    let pending = 0;
    const writer = new SerialWriter({ logger: silentLogger(), onPendingChange: (delta) => (pending += delta) });
    let release!: () => void;
    writer.write('slow', () => new Promise<void>((resolve) => (release = resolve)));
    writer.write('next', async () => undefined);
    expect(pending).toBe(2);
    await tick();
    release();
    while (writer.pending > 0) await tick();
    expect(pending).toBe(0);
  });

  it('reports at shutdown how many writes could not be stored, and takes no more', async () => {
    const writer = new SerialWriter({ logger: silentLogger(), baseDelayMs: 60_000 });
    writer.write('doomed', async () => {
      throw new Error('database gone');
    });
    writer.write('behind it', async () => undefined);
    await tick();
    expect(await writer.flush(20)).toBe(2);
    writer.write('late', async () => undefined);
    expect(writer.pending).toBe(2);
  });

  it('retries once more right away at shutdown instead of waiting out the backoff', async () => {
    let attempts = 0;
    const writer = new SerialWriter({ logger: silentLogger(), baseDelayMs: 60_000 });
    writer.write('flaky', async () => {
      if (attempts++ === 0) throw new Error('blip');
    });
    await tick();
    expect(await writer.flush(1000)).toBe(0);
    expect(attempts).toBe(2);
  });
});
