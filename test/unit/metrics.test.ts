import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics.js';

describe('Metrics', () => {
  it('exports process metrics, event-loop lag among them, only when asked to', async () => {
    const withProcess = await new Metrics({ collectProcessMetrics: true }).registry.metrics();
    expect(withProcess).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(withProcess).toContain('process_cpu_seconds_total');
    const without = await new Metrics().registry.metrics();
    expect(without).not.toContain('nodejs_eventloop_lag');
    expect(without).toContain('callbridge_calls_active');
  });
});
