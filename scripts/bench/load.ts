import { execFileSync } from 'node:child_process';
import { OpenAiHttpSimulator } from '../../src/sim/openai-http-simulator.js';
import { baseline, callbridge, type BridgeKind } from './load/bridges.js';
import { FakeModel } from './load/fake-model.js';
import { runLoad, type LoadResult } from './load/run.js';
import { selfSignedCertificate } from '../../src/sim/tls-certificate.js';
import type { BenchSection } from './report.js';

const ROOT = new URL('../../', import.meta.url).pathname;
/**
 * `BENCH_LOAD_CALLS=50,200` and `BENCH_LOAD_SECONDS=30` are the defaults; smaller runs are for trying things out,
 * and `BENCH_LOAD_ONLY=callbridge,transcoding floor` runs only those bridges, to profile them (ratios only to the baselines that ran).
 */
const CALL_COUNTS = (process.env['BENCH_LOAD_CALLS'] ?? '50,200').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_LOAD_SECONDS'] ?? 30);

const ONLY = process.env['BENCH_LOAD_ONLY'];

const RELAY = baseline('relay');
const FLOOR = baseline('floor');
const CALLBRIDGE = callbridge('callbridge', 'pcm16');
const CALLBRIDGE_G711 = callbridge('callbridge (REALTIME_AUDIO_FORMAT=audio/pcmu)', 'pcmu', { REALTIME_AUDIO_FORMAT: 'audio/pcmu' });

/**
 * CPU per call of the whole bridge under simultaneous calls, against two baselines run the same way in
 * the same run: on a shared machine only ratios between bridges measured side by side mean much.
 */
export async function benchLoad(): Promise<BenchSection> {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const tls = selfSignedCertificate();
  const model = await new FakeModel(tls).start();
  const openai = await new OpenAiHttpSimulator().start();
  const rows: BenchSection['rows'] = [];
  try {
    for (const calls of CALL_COUNTS) {
      const results = new Map<BridgeKind, LoadResult>();
      for (const kind of [RELAY, FLOOR, CALLBRIDGE, CALLBRIDGE_G711].filter((kind) => !ONLY || ONLY.split(',').includes(kind.name))) {
        console.error(`load: ${kind.name}, ${calls} calls x ${SECONDS} s`);
        results.set(kind, await runLoad(kind, model, { openaiUrl: openai.url, certPath: tls.certPath }, { calls, seconds: SECONDS }));
      }
      rows.push(...describe(calls, results));
    }
  } finally {
    await model.close();
    await openai.close();
  }
  return { title: `Load: simultaneous calls (${SECONDS} s of speech in and a response out, per call)`, rows };
}

function describe(calls: number, results: Map<BridgeKind, LoadResult>): BenchSection['rows'] {
  const relay = results.get(RELAY);
  const floor = results.get(FLOOR);
  const ratio = (result: LoadResult, base: LoadResult | undefined, name: string) =>
    base && result !== base ? [`${(result.cpuPerCallMinute / base.cpuPerCallMinute).toFixed(2)}x ${name}`] : [];
  return [...results].map(([kind, result]) => {
    // The G.711 paths have no transcoding floor: only the relay is their measure.
    const floorRatio = kind.modelAudio === 'pcm16' ? ratio(result, floor, 'floor') : [];
    const ratios = [...ratio(result, relay, 'relay'), ...floorRatio].join(', ') || 'baseline';
    const ms = (figures: LoadResult['latencyInMs']) => `${figures.p50.toFixed(1)}/${figures.p99.toFixed(1)}/${figures.max.toFixed(0)}`;
    const percent = (share: number) => `${(share * 100).toFixed(2)} %`;
    return {
      metric: `${calls} calls: ${result.bridge}`,
      value: `${result.cpuPerCallMinute.toFixed(3)} CPU s per call-minute (${ratios})`,
      note: `per-frame latency p50/p99/max in ${ms(result.latencyInMs)} ms, out ${ms(result.latencyOutMs)} ms; delivered in ${percent(result.deliveredIn)}, out ${percent(result.deliveredOut)}; RSS idle ${result.idleRssMb.toFixed(0)} MB, ${result.rssPerCallMb.toFixed(2)} MB per call`,
    };
  });
}
