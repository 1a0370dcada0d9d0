export {
  SIM_AUTH_TOKEN as TEST_AUTH_TOKEN,
  startOfflineStack as startHarness,
  waitFor,
  type OfflineStack as Harness,
} from '../../src/sim/offline-stack.js';

/** Sum of a Prometheus counter's samples whose labels include all of `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) total += Number(match[3]);
  }
  return total;
}
