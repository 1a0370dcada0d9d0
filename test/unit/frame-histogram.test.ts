import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FrameHistogram } from '../../src/frame-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1];

function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  const frame = new FrameHistogram({ name: 'x_seconds', help: 'X', labelName: 'direction', labelValues: ['in', 'out'], buckets: BUCKETS, registers: [ours] });
  const reference = new Histogram({ name: 'x_seconds', help: 'X', labelNames: ['direction'], buckets: BUCKETS, registers: [theirs] });
  return { ours, theirs, frame, reference };
}

describe('FrameHistogram', () => {
  it("scrapes to exactly prom-client's histogram text for the same observations", async () => {
    const { ours, theirs, frame, reference } = pair();
    const observations: [string, number][] = [['in', 0.0005], ['in', 0.001], ['in', 0.05], ['out', 0.2], ['out', 0.002], ['in', 3]];
    for (const [direction, value] of observations) {
      frame.series(direction as 'in' | 'out').observe(value);
      reference.observe({ direction }, value);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('x_seconds_bucket{le="0.001",direction="in"} 2');
    expect(text).toContain('x_seconds_count{direction="out"} 2');
  });

  it('shows every series from the start, and reset zeroes them', async () => {
    const { ours, frame } = pair();
    expect(await ours.metrics()).toContain('x_seconds_count{direction="out"} 0');
    frame.series('out').observe(0.5);
    expect(await ours.metrics()).toContain('x_seconds_bucket{le="+Inf",direction="out"} 1');
    ours.resetMetrics();
    expect(await ours.metrics()).toContain('x_seconds_bucket{le="+Inf",direction="out"} 0');
  });

  it('ignores a value that is not a finite number instead of poisoning the sum', async () => {
    const { ours, frame } = pair();
    frame.series('in').observe(Number.NaN);
    frame.series('in').observe(0.01);
    const text = await ours.metrics();
    expect(text).toContain('x_seconds_sum{direction="in"} 0.01');
    expect(text).toContain('x_seconds_count{direction="in"} 1');
  });
});
