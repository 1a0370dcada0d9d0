import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { encodeMulaw } from '../../src/audio/g711.js';
import type { ModelAudioFormat } from '../../src/audio/model-codec.js';
import { loadResamplerEngine, type ResamplerEngine } from '../../src/audio/resampler.js';
import { CallerToModelTranscoder, ModelToCallerTranscoder } from '../../src/audio/transcoder.js';
import { observeCallMetrics } from '../../src/call/call-metrics.js';
import { CallRegistry } from '../../src/call/call-registry.js';
import { CallSession } from '../../src/call/call-session.js';
import { ModelLink } from '../../src/call/model-link.js';
import type { Summarizer } from '../../src/conversation/summarizer.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { serializeClientEvent, type RealtimeClientEvent } from '../../src/realtime/client-events.js';
import type { RealtimeConnection, RealtimeConnectionEvents } from '../../src/realtime/connection.js';
import { parseServerEvent } from '../../src/realtime/server-events.js';
import { TwilioMediaStream } from '../../src/telephony/media-stream.js';
import { ToolRegistry } from '../../src/tools/registry.js';
import type { BenchSection } from './report.js';

/*
 * callbridge's own work per message with the sockets taken away: the same frames as the load benchmark
 * (per call-second 50 caller frames, 20 bot deltas of 50 ms, 20 echoed marks) through the real media
 * stream, call session and model link, against the load benchmark's baselines doing their work on the
 * same frames: the transcoding floor (parse, transcode, serialize) for the default path, the G.711
 * relay for REALTIME_AUDIO_FORMAT=audio/pcmu. Without sockets, kernel and other processes, the ratio is
 * steady enough to tell a 2 % change, which the load benchmark's ±15 % between runs cannot.
 */

const CALLS = Number(process.env['BENCH_PIPELINE_CALLS'] ?? 50);
const CALL_SECONDS = Number(process.env['BENCH_PIPELINE_SECONDS'] ?? 30);
const ROUNDS = 5;
const FRAMES_PER_SECOND = 50;
const DELTAS_PER_SECOND = 20;
const STREAM_SID = 'MZ00000000000000000000000000000001';

export async function benchPipeline(): Promise<BenchSection> {
  const engine = await loadResamplerEngine();
  const frame = callerFrameBase64();
  const note = `per call-second: ${FRAMES_PER_SECOND} caller frames, ${DELTAS_PER_SECOND} deltas of 50 ms, ${DELTAS_PER_SECOND} marks; ${CALLS} calls x ${CALL_SECONDS} s; median of ${ROUNDS} rounds`;
  const compared = [
    compare('callbridge / transcoding floor', () => baselineLegs(engine), () => callbridgeLegs(engine, 'audio/pcm'), frame, deltaBase64('pcm16')),
    compare('callbridge (audio/pcmu) / G.711 relay', () => baselineLegs(undefined), () => callbridgeLegs(engine, 'audio/pcmu'), frame, deltaBase64('pcmu')),
  ];
  return {
    title: 'Per-message work without sockets',
    rows: compared.map((result) => ({
      metric: result.name,
      value: `${result.median.toFixed(3)}x (range ${result.min.toFixed(3)}-${result.max.toFixed(3)}x)`,
      note: `CPU per call-second in the last round: callbridge ${result.callbridgeUs.toFixed(0)} µs, baseline ${result.baselineUs.toFixed(0)} µs; ${note}`,
    })),
  };
}

function compare(name: string, baseline: () => Leg[], callbridge: () => Leg[], frame: string, delta: string) {
  const ratios: number[] = [];
  let last = { callbridgeUs: 0, baselineUs: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating which goes first, so neither always runs on the warmer (or the colder) machine.
    const baselineFirst = round % 2 === 0 ? undefined : cpuPerCallSecond(baseline, frame, delta);
    const callbridgeUs = cpuPerCallSecond(callbridge, frame, delta);
    const baselineUs = baselineFirst ?? cpuPerCallSecond(baseline, frame, delta);
    ratios.push(callbridgeUs / baselineUs);
    last = { callbridgeUs, baselineUs };
  }
  ratios.sort((a, b) => a - b);
  return { name, median: ratios[Math.floor(ratios.length / 2)]!, min: ratios[0]!, max: ratios.at(-1)!, ...last };
}

/** CPU of the traffic alone (set-up and tear-down left out), after one run that warms the JIT. */
function cpuPerCallSecond(setUp: () => Leg[], frameBase64: string, deltaB64: string): number {
  const warmUp = setUp();
  drive(warmUp, frameBase64, deltaB64);
  for (const leg of warmUp) leg.close();
  const legs = setUp();
  const before = process.cpuUsage();
  drive(legs, frameBase64, deltaB64);
  const used = process.cpuUsage(before);
  for (const leg of legs) leg.close();
  return (used.user + used.system) / (CALLS * CALL_SECONDS);
}

/**
 * The load benchmark's baselines on the same frames (baseline-bridge.ts): the floor (with `engine`,
 * what carrying PCM16 24 kHz makes unavoidable) or the G.711 relay (without, payloads untouched).
 */
function baselineLegs(engine: ResamplerEngine | undefined): Leg[] {
  const sink = { bytes: 0 };
  const legs: Leg[] = [];
  for (let call = 0; call < CALLS; call++) {
    const toModel = engine && new CallerToModelTranscoder(engine);
    const toCaller = engine && new ModelToCallerTranscoder(engine);
    let marks = 0;
    legs.push({
      media: (data) => {
        const message = JSON.parse(data.toString()) as { media: { payload: string } };
        const audio = toModel ? toModel.transcode(Buffer.from(message.media.payload, 'base64')).toString('base64') : message.media.payload;
        sink.bytes += JSON.stringify({ type: 'input_audio_buffer.append', audio }).length;
      },
      delta: (data) => {
        const event = JSON.parse(data.toString()) as { delta: string };
        const mulaw = toCaller?.transcode(Buffer.from(event.delta, 'base64'));
        const payload = mulaw ? Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64') : event.delta;
        sink.bytes += JSON.stringify({ event: 'media', streamSid: STREAM_SID, media: { payload } }).length;
        sink.bytes += JSON.stringify({ event: 'mark', streamSid: STREAM_SID, mark: { name: `m${marks++}` } }).length;
      },
      mark: (data) => {
        sink.bytes += (JSON.parse(data.toString()) as { event: string }).event.length;
      },
      lastMark: () => `m${marks - 1}`,
      close: () => {
        toModel?.close();
        toCaller?.close();
      },
    });
  }
  return legs;
}

/** callbridge's real stream, session and link, on sockets that only count what is written to them. */
function callbridgeLegs(engine: ResamplerEngine, modelAudioFormat: ModelAudioFormat): Leg[] {
  const metrics = new Metrics();
  const legs: Leg[] = [];
  for (let call = 0; call < CALLS; call++) {
    const callSid = `CA${String(call).padStart(32, '0')}`;
    const phone = new CountingSocket();
    let connection: CountingConnection | undefined;
    const registry = new CallRegistry({
      logger: silentLogger(),
      createSession: () =>
        new CallSession({
          callSid,
          engine,
          modelAudioFormat,
          greeting: 'Greet the caller.',
          summarizer: NO_SUMMARIES,
          summarization: { triggerTokens: 1_000_000, keepTurns: 6 },
          summaryLanguage: undefined,
          logger: silentLogger(),
          now: () => performance.now(),
          tools: new ToolRegistry([]),
          parties: { from: undefined, to: undefined },
          createModelLink: (hooks) =>
            new ModelLink({
              ...hooks,
              connect: () => (connection = new CountingConnection()),
              session: { type: 'realtime' },
              logger: silentLogger(),
              now: () => performance.now(),
              reconnect: { attempts: 0, baseDelayMs: 1, maxDelayMs: 1, random: () => 0 },
              maxSessionMs: 3_600_000,
              holdLimitMs: 2000,
              readyTimeoutMs: 3_600_000,
            }),
        }),
    });
    observeCallMetrics(registry, metrics);
    const stream = new TwilioMediaStream(phone as unknown as WebSocket, silentLogger(), { silenceTimeoutMs: 3_600_000, pingIntervalMs: 3_600_000 });
    registry.adoptStream(stream);
    phone.receive(Buffer.from(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' })));
    phone.receive(
      Buffer.from(JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        streamSid: STREAM_SID,
        start: { accountSid: 'AC0', streamSid: STREAM_SID, callSid, tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: {} },
      })),
    );
    const model = connection!;
    model.emit('open');
    model.receive({ type: 'session.updated', session: {} });
    model.receive({ type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } });
    model.receive({ type: 'response.output_item.added', response_id: 'resp_1', output_index: 0, item: { id: 'item_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] } });
    legs.push({
      media: (data) => phone.receive(data),
      delta: (data) => model.receiveFrame(data),
      mark: (data) => phone.receive(data),
      lastMark: () => phone.lastMark,
      close: () => {
        stream.close();
        registry.get(callSid)?.end('completed', 'benchmark');
      },
    });
  }
  return legs;
}

/** A call's two ends, handed each frame as ws hands it over: a Buffer of the text. */
interface Leg {
  media: (data: Buffer) => void;
  delta: (data: Buffer) => void;
  mark: (data: Buffer) => void;
  lastMark: () => string;
  close: () => void;
}

/**
 * The load benchmark's traffic, all calls at once: each frame slot visits every call in turn, as
 * simultaneous calls do, so each call's state is as cold in the caches as under real load.
 */
function drive(legs: Leg[], frameBase64: string, deltaB64: string): void {
  let sequence = 2;
  let event = 0;
  for (let chunk = 1; chunk <= CALL_SECONDS * FRAMES_PER_SECOND; chunk++) {
    // Built once per slot for all calls: the same work for both bridges, kept small beside theirs.
    const media = Buffer.from(`{"event":"media","sequenceNumber":"${sequence++}","streamSid":"${STREAM_SID}","media":{"track":"inbound","chunk":"${chunk}","timestamp":"${(chunk - 1) * 20}","payload":"${frameBase64}"}}`);
    // Two deltas in every five frames: 20 a second, each answered by Twilio's echo of its mark.
    const delta =
      chunk % 5 === 1 || chunk % 5 === 3
        ? Buffer.from(`{"type":"response.output_audio.delta","event_id":"evt_${event++}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"${deltaB64}"}`)
        : undefined;
    const markSequence = sequence++;
    for (const leg of legs) {
      leg.media(media);
      if (delta === undefined) continue;
      leg.delta(delta);
      leg.mark(Buffer.from(`{"event":"mark","sequenceNumber":"${markSequence}","streamSid":"${STREAM_SID}","mark":{"name":"${leg.lastMark()}"}}`));
    }
  }
}

/** A ws server-side socket as TwilioMediaStream uses it. */
class CountingSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  bytesSent = 0;
  lastMark = '';

  send(text: string): void {
    this.bytesSent += text.length;
    // The name is the last string of a mark's text: read without a parse the floor does not pay for.
    if (text.startsWith('{"event":"mark"')) this.lastMark = text.slice(text.lastIndexOf(':"') + 2, -3);
  }

  receive(data: Buffer): void {
    this.emit('message', data, false);
  }

  ping(): void {}

  close(): void {
    this.readyState = 3;
  }
}

/** WsRealtimeConnection's parse and serialize, without its socket. */
class CountingConnection extends EventEmitter<RealtimeConnectionEvents> implements RealtimeConnection {
  bytesSent = 0;

  send(event: RealtimeClientEvent): boolean {
    this.bytesSent += serializeClientEvent(event).length;
    return true;
  }

  receive(event: Record<string, unknown>): void {
    this.receiveFrame(Buffer.from(JSON.stringify({ event_id: 'evt_setup', ...event })));
  }

  receiveFrame(data: Buffer): void {
    const parsed = parseServerEvent(data.toString());
    if (parsed.kind !== 'message') throw new Error(`benchmark frame refused: ${JSON.stringify(parsed)}`);
    this.emit('event', parsed.message);
  }

  close(): void {}
}

const NO_SUMMARIES: Summarizer = {
  model: 'none',
  summarizeInCall: () => Promise.reject(new Error('not in this benchmark')),
  summarizeCall: () => Promise.reject(new Error('not in this benchmark')),
};

function callerFrameBase64(): string {
  const samples = new Int16Array(160);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(6000 * Math.sin((2 * Math.PI * 220 * i) / 8000));
  return Buffer.from(encodeMulaw(samples)).toString('base64');
}

/** 50 ms of the bot's voice as the model sends it: PCM16 24 kHz or G.711 mu-law 8 kHz. */
function deltaBase64(audio: 'pcm16' | 'pcmu'): string {
  const rate = audio === 'pcm16' ? 24000 : 8000;
  const samples = new Int16Array(rate / 20);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(7000 * Math.sin((2 * Math.PI * 180 * i) / rate));
  return (audio === 'pcm16' ? Buffer.from(samples.buffer) : Buffer.from(encodeMulaw(samples))).toString('base64');
}
