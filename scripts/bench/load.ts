import { execFileSync } from 'node:child_process';
import { OpenAiHttpSimulator } from '../../src/sim/openai-http-simulator.js';
import { baseline, callbridge, type BridgeKind } from './load/bridges.js';
import { FakeModel } from './load/fake-model.js';
import { runLoad, type LoadResult } from './load/run.js';
import { selfSignedCertificate } from '../../src/sim/tls-certificate.js';
import type { BenchSection } from './report.js';
import { percentile } from '../lib/stats.js';

const ROOT = new URL('../../', import.meta.url).pathname;
/**
 * `BENCH_LOAD_CALLS=50,200` and `BENCH_LOAD_SECONDS=30` are the defaults; smaller runs are for trying things out,
 * and `BENCH_LOAD_ONLY=callbridge,transcoding floor` runs only those bridges, to profile them (ratios only to the baselines that ran).
 */
const CALL_COUNTS = (process.env['BENCH_LOAD_CALLS'] ?? '50,200').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_LOAD_SECONDS'] ?? 30);
/**
 * `BENCH_LOAD_ROUNDS=3` by default: one run of each bridge varied by up to 15 % from the next on this
 * shared machine, so every bridge runs once per round, the order turned by one each round, and the
 * figures are medians over the rounds (CPU ratios are taken within a round, then the median).
 */
const ROUNDS = Number(process.env['BENCH_LOAD_ROUNDS'] ?? 3);

const ONLY = process.env['BENCH_LOAD_ONLY'];
/** `BENCH_LOAD_WARMUP_SECONDS=0` measures a cold server, its JIT compiling in the window. */
const WARMUP_SECONDS = Number(process.env['BENCH_LOAD_WARMUP_SECONDS'] ?? 15);

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
  const kinds = [RELAY, FLOOR, CALLBRIDGE, CALLBRIDGE_G711].filter((kind) => !ONLY || ONLY.split(',').includes(kind.name));
  const rows: BenchSection['rows'] = [];
  try {
    for (const calls of CALL_COUNTS) {
      const rounds: Map<BridgeKind, LoadResult>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const results = new Map<BridgeKind, LoadResult>();
        for (const kind of [...kinds.slice(round % kinds.length), ...kinds.slice(0, round % kinds.length)]) {
          console.error(`load: round ${round + 1} of ${ROUNDS}, ${kind.name}, ${calls} calls x ${SECONDS} s`);
          results.set(kind, await runLoad(kind, model, { openaiUrl: openai.url, certPath: tls.certPath }, { calls, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS }));
        }
        rounds.push(results);
      }
      rows.push(...describe(calls, kinds, rounds));
    }
  } finally {
    await model.close();
    await openai.close();
  }
  return { title: `Load: simultaneous calls (${SECONDS} s of speech in and a response out, per call, after ${WARMUP_SECONDS} s of warm-up calls; median of ${ROUNDS} rounds)`, rows };
}

function describe(calls: number, kinds: BridgeKind[], rounds: Map<BridgeKind, LoadResult>[]): BenchSection['rows'] {
  const of = (kind: BridgeKind) => rounds.map((round) => round.get(kind)!);
  const ratio = (kind: BridgeKind, base: BridgeKind, name: string) => {
    if (kind === base || !kinds.includes(base)) return [];
    const perRound = rounds.map((round) => round.get(kind)!.cpuPerCallMinute / round.get(base)!.cpuPerCallMinute);
    const range = perRound.length > 1 ? ` (${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)})` : '';
    return [`${median(perRound).toFixed(2)}x ${name}${range}`];
  };
  return kinds.map((kind) => {
    const results = of(kind);
    // The G.711 paths have no transcoding floor: only the relay is their measure.
    const floorRatio = kind.modelAudio === 'pcm16' ? ratio(kind, FLOOR, 'floor') : [];
    const ratios = [...ratio(kind, RELAY, 'relay'), ...floorRatio].join(', ') || 'baseline';
    const ms = (pick: (result: LoadResult) => LoadResult['latencyInMs']) => {
      const figures = results.map(pick);
      return `${median(figures.map((f) => f.p50)).toFixed(1)}/${median(figures.map((f) => f.p99)).toFixed(1)}/${Math.max(...figures.map((f) => f.max)).toFixed(0)}`;
    };
    const percent = (share: number) => `${(share * 100).toFixed(2)} %`;
    const busy = (pick: (result: LoadResult) => number) => `${(median(results.map(pick)) * 100).toFixed(0)} %`;
    return {
      metric: `${calls} calls: ${kind.name}`,
      value: `${median(results.map((result) => result.cpuPerCallMinute)).toFixed(3)} CPU s per call-minute (${ratios})`,
      note:
        `per-frame latency p50/p99/max in ${ms((result) => result.latencyInMs)} ms, out ${ms((result) => result.latencyOutMs)} ms (max over rounds); ` +
        `delivered in ${percent(Math.min(...results.map((result) => result.deliveredIn)))}, out ${percent(Math.min(...results.map((result) => result.deliveredOut)))} (worst round); ` +
        `RSS idle ${median(results.map((result) => result.idleRssMb)).toFixed(0)} MB (${median(results.map((result) => result.warmIdleRssMb)).toFixed(0)} MB after the warm-up), ` +
        `${median(results.map((result) => result.rssPerCallMb)).toFixed(2)} MB per call; ` +
        `busy: main thread ${busy((result) => result.mainThreadBusy)} of a core, load generator ${busy((result) => result.generatorBusy)}, machine ${busy((result) => result.machineBusy)} of all cores`,
    };
  });
}

function median(values: number[]): number {
  return percentile(values, 50);
}
