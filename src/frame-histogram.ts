import type { Metric, Registry } from 'prom-client';

export interface FrameHistogramOptions<V extends string> {
  name: string;
  help: string;
  labelName: string;
  /** Every series there will ever be, fixed up front. */
  labelValues: readonly V[];
  /** Upper bounds, ascending; `+Inf` is added. */
  buckets: readonly number[];
  registers: Registry[];
}

/** One series: what `observe` costs is a bucket search and three additions. */
export interface FrameSeries {
  observe(value: number): void;
}

class Series implements FrameSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly upperBounds: readonly number[]) {
    this.counts = new Float64Array(upperBounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.sum += value;
    this.count += 1;
    const bounds = this.upperBounds;
    for (let index = 0; index < bounds.length; index++) {
      if (value <= bounds[index]!) {
        this.counts[index]! += 1;
        return;
      }
    }
  }
}

interface ExportedValue {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

/**
 * A Prometheus histogram for what is observed on every audio frame, 100 times a second per call.
 * prom-client's Histogram validates and hashes the labels on every observation, even through a bound
 * child, and under load that cost as much CPU as the resampler's share; here the series are made once
 * and observing touches nothing else. Scraped, it reads exactly as prom-client's Histogram would
 * (a test holds the two to the same text), so dashboards cannot tell them apart.
 */
export class FrameHistogram<V extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #labelName: string;
  readonly #series = new Map<V, Series>();

  constructor(options: FrameHistogramOptions<V>) {
    this.name = options.name;
    this.help = options.help;
    this.#labelName = options.labelName;
    for (const value of options.labelValues) this.#series.set(value, new Series(options.buckets));
    // The registry takes any object shaped like its metrics: it only reads name, help, type and get().
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  series(labelValue: V): FrameSeries {
    return this.#series.get(labelValue)!;
  }

  /** What the registry reads on a scrape: prom-client's histogram export, series by series. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: ExportedValue[] }> {
    const values: ExportedValue[] = [];
    for (const [labelValue, series] of this.#series) {
      let cumulative = 0;
      series.upperBounds.forEach((bound, index) => {
        cumulative += series.counts[index]!;
        values.push({ value: cumulative, labels: { le: bound, [this.#labelName]: labelValue }, metricName: `${this.name}_bucket` });
      });
      values.push({ value: series.count, labels: { le: '+Inf', [this.#labelName]: labelValue }, metricName: `${this.name}_bucket` });
      values.push({ value: series.sum, labels: { [this.#labelName]: labelValue }, metricName: `${this.name}_sum` });
      values.push({ value: series.count, labels: { [this.#labelName]: labelValue }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const series of this.#series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
