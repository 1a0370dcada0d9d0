import { encodeMulaw } from '../../../src/audio/g711.js';
import { percentile } from '../../lib/stats.js';
import type { BridgeKind, RunningBridge } from './bridges.js';
import { DELTA_MS, modelBytesPerMs, type FakeModel, type ModelAudio } from './fake-model.js';
import { FRAME_MS, PhoneLeg } from './fake-phone.js';
import { cpuSeconds, cpuSplit, ioCounts, machineBusy, machineCpu, mainThreadCpuSeconds, rssMb } from './process-stats.js';

export interface LoadRunOptions {
  calls: number;
  /** How long every call streams both ways at once: the measured window. */
  seconds: number;
  /**
   * A first wave of as many calls, streaming both ways this long before the measured one; 0 for
   * none. A server that has been up for a while has compiled its hot code: without it, the window
   * also counts the JIT compiling every path once (a tenth of callbridge's CPU in a 30 s window,
   * nearly none of a baseline's), which is start-up, not cost per call. Memory per call is read on
   * this first wave, so it still counts everything the first calls cost a fresh server.
   */
  warmupSeconds: number;
}

export interface LoadResult {
  bridge: string;
  calls: number;
  cpuPerCallMinute: number;
  latencyInMs: { p50: number; p99: number; max: number };
  latencyOutMs: { p50: number; p99: number; max: number };
  /** Share of the audio sent that arrived, each way. */
  deliveredIn: number;
  deliveredOut: number;
  /** Just started, before any call. */
  idleRssMb: number;
  /** Idle again once the warm-up calls have ended. */
  warmIdleRssMb: number;
  /** What the first wave of calls added to the idle server's memory, per call. */
  rssPerCallMb: number;
  /**
   * Shares of one core over the window: the bridge's main thread, the load generator (this process),
   * and of all cores, the machine. Latency is read on the generator's clock, and queues without bound
   * once the bridge's main thread nears a whole core: these say when a latency is the machine's.
   */
  mainThreadBusy: number;
  generatorBusy: number;
  machineBusy: number;
}

/** Room for the frames sent while the other calls are being set up, before the window. */
const MAX_SETUP_SECONDS = 120;
const SETTLE_MS = 2000;
/** Start-up leaves garbage the collector takes a while to return: idle memory is read once the server has idled this long. */
const IDLE_MS = 15_000;
/** Time for the bridge to end and record the warm-up calls. */
const WARMUP_END_MS = 5000;

/**
 * One bridge under `calls` simultaneous calls, after a warm-up wave: the bridge's CPU is read from
 * /proc over exactly the measured wave's window.
 */
export async function runLoad(kind: BridgeKind, model: FakeModel, endpoints: { openaiUrl: string; certPath: string }, options: LoadRunOptions): Promise<LoadResult> {
  const launchedAtMs = performance.now();
  const bridge = await kind.launch({ modelUrl: model.url, ...endpoints });
  try {
    await sleep(IDLE_MS);
    const idleRssMb = rssMb(bridge.pid);
    const warmup = options.warmupSeconds > 0 ? await callWave(kind.modelAudio, bridge, model, { calls: options.calls, seconds: options.warmupSeconds }) : undefined;
    if (warmup) await sleep(WARMUP_END_MS);
    const warmIdleRssMb = rssMb(bridge.pid);
    const { loadedRssMb, ...wave } = await callWave(kind.modelAudio, bridge, model, { calls: options.calls, seconds: options.seconds }, launchedAtMs);
    return {
      bridge: kind.name,
      calls: options.calls,
      ...wave,
      idleRssMb,
      warmIdleRssMb,
      rssPerCallMb: ((warmup ?? { loadedRssMb }).loadedRssMb - idleRssMb) / options.calls,
    };
  } finally {
    await bridge.stop();
  }
}

type WaveResult = Pick<LoadResult, 'cpuPerCallMinute' | 'latencyInMs' | 'latencyOutMs' | 'deliveredIn' | 'deliveredOut' | 'mainThreadBusy' | 'generatorBusy' | 'machineBusy'> & {
  loadedRssMb: number;
};

/**
 * `calls` simultaneous calls, all set up one after another (so the n-th phone leg and the n-th model
 * connection are the same call), caller speech flowing from the start as Twilio's does; then for
 * `seconds` every call also streams one response, and the calls hang up.
 */
async function callWave(audio: ModelAudio, bridge: RunningBridge, model: FakeModel, options: { calls: number; seconds: number }, launchedAtMs?: number): Promise<WaveResult> {
  const deltaCount = Math.round((options.seconds * 1000) / DELTA_MS);
  model.reset(audio, deltaBase64(audio), deltaCount);
  const phones: PhoneLeg[] = [];
  const frame = callerFrameBase64();
  const frameCapacity = Math.round(((MAX_SETUP_SECONDS + options.seconds) * 1000) / FRAME_MS);
  const callerClock = new PhasedTicker(FRAME_MS, 20, (group) => {
    for (let index = group; index < phones.length; index += 20) {
      const phone = phones[index]!;
      if (phone.framesSent < frameCapacity) phone.sendFrame();
    }
  });
  let modelClock: PhasedTicker | undefined;
  try {
    callerClock.start();
    for (let index = 0; index < options.calls; index++) {
      const phone = new PhoneLeg(frame, frameCapacity);
      await phone.connect(bridge.target);
      const leg = await model.requestedLeg(index, 10_000);
      leg.frameSentAtMs = phone.frameSentAtMs;
      phone.deltaSentAtMs = leg.deltaSentAtMs;
      // Speech starts once the model end is there, so no bridge has to hold audio and every frame pairs up.
      phones.push(phone);
    }
    await sleep(SETTLE_MS);
    const legs = model.legs;
    const windowStartMs = performance.now();
    // For reading a profile of this run: `profile-summary.ts --skip-seconds` this much.
    if (launchedAtMs !== undefined) console.error(`  measured window: from ${((windowStartMs - launchedAtMs) / 1000).toFixed(1)} s after launch, for ${options.seconds} s`);
    const cpuBefore = cpuSeconds(bridge.pid);
    const ioBefore = ioCounts(bridge.pid);
    const splitBefore = cpuSplit(bridge.pid);
    const mainThreadBefore = mainThreadCpuSeconds(bridge.pid);
    const generatorBefore = cpuSeconds(process.pid);
    const machineBefore = machineCpu();
    const inLatencyFrom = legs.map((leg) => leg.inLatencyMs.length);
    modelClock = new PhasedTicker(DELTA_MS, 25, (group) => {
      for (let index = group; index < legs.length; index += 25) {
        const leg = legs[index]!;
        if (leg.deltasSent < deltaCount) leg.sendDelta();
      }
    });
    modelClock.start();
    await sleep(options.seconds * 1000);
    const cpuSecondsUsed = cpuSeconds(bridge.pid) - cpuBefore;
    const windowMs = performance.now() - windowStartMs;
    const ioAfter = ioCounts(bridge.pid);
    const splitAfter = cpuSplit(bridge.pid);
    const busy = {
      mainThreadBusy: (mainThreadCpuSeconds(bridge.pid) - mainThreadBefore) / (windowMs / 1000),
      generatorBusy: (cpuSeconds(process.pid) - generatorBefore) / (windowMs / 1000),
      machineBusy: machineBusy(machineBefore, machineCpu()),
    };
    const perCallSecond = (count: number) => (count / (options.calls * (windowMs / 1000))).toFixed(1);
    console.error(
      `  ${launchedAtMs === undefined ? 'warm-up, ' : ''}per call-second: ${perCallSecond(ioAfter.reads - ioBefore.reads)} reads (${perCallSecond(ioAfter.bytesRead - ioBefore.bytesRead)} bytes), ` +
        `${perCallSecond(ioAfter.writes - ioBefore.writes)} writes (${perCallSecond(ioAfter.bytesWritten - ioBefore.bytesWritten)} bytes); ` +
        `CPU ${(splitAfter.userSeconds - splitBefore.userSeconds).toFixed(2)} s user, ${(splitAfter.systemSeconds - splitBefore.systemSeconds).toFixed(2)} s system; ` +
        `busy: bridge ${percent(cpuSecondsUsed / (windowMs / 1000))} of a core (main thread ${percent(busy.mainThreadBusy)}), load generator ${percent(busy.generatorBusy)}, machine ${percent(busy.machineBusy)} of all cores`,
    );
    const loadedRssMb = rssMb(bridge.pid);
    callerClock.stop();
    modelClock.stop();
    // What is still on its way arrives before anything is counted.
    await sleep(1000);
    for (const leg of legs) leg.finishResponse();

    const framesSent = phones.reduce((sum, phone) => sum + phone.framesSent, 0);
    const framesIn = legs.reduce((sum, leg) => sum + leg.framesIn, 0);
    const deltasSent = legs.reduce((sum, leg) => sum + leg.deltasSent, 0);
    const bytesOut = phones.reduce((sum, phone) => sum + phone.audioOutMs, 0);
    const audioInMs = legs.reduce((sum, leg) => sum + leg.audioInMs, 0);
    return {
      cpuPerCallMinute: cpuSecondsUsed / (options.calls * (windowMs / 60_000)),
      latencyInMs: spread(legs.flatMap((leg, index) => leg.inLatencyMs.slice(inLatencyFrom[index]))),
      latencyOutMs: spread(phones.flatMap((phone) => phone.outLatencyMs)),
      // Audio time, not message counts: callbridge may fill gaps or split audio differently from the baselines.
      deliveredIn: Math.min(audioInMs / (framesSent * FRAME_MS), framesIn / framesSent),
      deliveredOut: bytesOut / (deltasSent * DELTA_MS),
      loadedRssMb,
      ...busy,
    };
  } finally {
    callerClock.stop();
    modelClock?.stop();
    for (const phone of phones) phone.hangUp();
    await sleep(500);
    for (const phone of phones) phone.terminate();
  }
}

/**
 * Sends on a fixed period from `groups` timers spread evenly over it, so that the calls' frames arrive
 * spread in time as independent calls' do, not all in one burst per period. Each timer aims at its
 * next slot from the start time, so lateness never accumulates.
 */
class PhasedTicker {
  readonly #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(
    private readonly periodMs: number,
    private readonly groups: number,
    private readonly onTick: (group: number) => void,
  ) {}

  start(): void {
    const startMs = performance.now();
    for (let group = 0; group < this.groups; group++) {
      let slot = 0;
      const offsetMs = (group * this.periodMs) / this.groups;
      const schedule = () => {
        if (this.#stopped) return;
        const dueMs = startMs + offsetMs + slot * this.periodMs;
        this.#timers[group] = setTimeout(() => {
          slot++;
          this.onTick(group);
          schedule();
        }, Math.max(0, dueMs - performance.now()));
      };
      schedule();
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
  }
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)} %`;
}

function spread(values: number[]): { p50: number; p99: number; max: number } {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: values.length === 0 ? Number.NaN : values.reduce((max, value) => Math.max(max, value), -Infinity) };
}

/** 20 ms of a caller's voice as Twilio sends it: a vowel-like tone, mu-law, base64. */
function callerFrameBase64(): string {
  const samples = new Int16Array(160);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(6000 * Math.sin((2 * Math.PI * 220 * i) / 8000) + 2000 * Math.sin((2 * Math.PI * 660 * i) / 8000));
  return Buffer.from(encodeMulaw(samples)).toString('base64');
}

/** One delta of the bot's voice in the model's format. */
function deltaBase64(audio: ModelAudio): string {
  const rate = audio === 'pcm16' ? 24000 : 8000;
  const samples = new Int16Array((rate * DELTA_MS) / 1000);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(7000 * Math.sin((2 * Math.PI * 180 * i) / rate) + 2500 * Math.sin((2 * Math.PI * 900 * i) / rate));
  const bytes = audio === 'pcm16' ? Buffer.from(samples.buffer) : Buffer.from(encodeMulaw(samples));
  if (bytes.length !== modelBytesPerMs(audio) * DELTA_MS) throw new Error('delta size does not match its format');
  return bytes.toString('base64');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
