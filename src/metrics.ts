import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FrameHistogram } from './frame-histogram.js';

/** The waits a caller notices: a tenth of a second to several seconds. */
const TURN_BUCKETS_SECONDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 5, 10];

/**
 * How often the event-loop lag is sampled. prom-client's default of 10 ms wakes an idle server 100 times
 * a second, which cost 0.8 % of a core doing nothing and 4 % of the CPU of 50 G.711 calls (the load
 * benchmark); ten samples a second still catch any stall a caller could hear, a hundred per 10-second
 * scrape interval.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * Every metric the service exports, on a registry of its own (not prom-client's global one), so
 * several servers in one process (tests, the demo) never collide.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly callsActive = new Gauge({ name: 'callbridge_calls_active', help: 'Calls in progress', registers: [this.registry] });
  readonly callsTotal = new Counter({
    name: 'callbridge_calls_total',
    help: 'Calls ended, by final status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly rejectedFrames = new Counter({
    name: 'callbridge_rejected_frames_total',
    help: 'Inbound protocol frames rejected at the boundary',
    labelNames: ['source', 'kind'] as const,
    registers: [this.registry],
  });
  readonly signatureFailures = new Counter({
    name: 'callbridge_signature_failures_total',
    help: 'Requests refused for a bad or missing Twilio signature',
    labelNames: ['surface'] as const,
    registers: [this.registry],
  });
  readonly droppedAudioMs = new Counter({
    name: 'callbridge_dropped_audio_ms_total',
    help: 'Audio deliberately not delivered, in ms',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly bargeIns = new Counter({
    name: 'callbridge_barge_ins_total',
    help: 'Times the caller interrupted the bot',
    registers: [this.registry],
  });
  readonly realtimeErrors = new Counter({
    name: 'callbridge_realtime_errors_total',
    help: 'Error events from the Realtime service, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly realtimeReconnects = new Counter({
    name: 'callbridge_realtime_reconnects_total',
    help: 'Realtime sessions re-established mid-call (drops and rotations)',
    registers: [this.registry],
  });
  readonly firstAudioSeconds = new Histogram({
    name: 'callbridge_first_audio_seconds',
    help: 'From the media stream start to the first bot audio sent to the caller',
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5],
    registers: [this.registry],
  });
  readonly bridgeLatencySeconds = new FrameHistogram({
    name: 'callbridge_bridge_latency_seconds',
    help: 'Time one audio frame spends in callbridge (parse, transcode, send), by direction',
    labelName: 'direction',
    labelValues: ['caller_to_model', 'model_to_caller'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025],
    registers: [this.registry],
  });
  readonly turns = new Counter({
    name: 'callbridge_turns_total',
    help: 'Turns completed in calls, by who spoke (caller, bot)',
    labelNames: ['role'] as const,
    registers: [this.registry],
  });
  /* Per bot turn; `trigger` is speech for an answer to the caller's speech, other for one nobody asked by voice (the greeting, key presses). */
  readonly turnModelLatencySeconds = new Histogram({
    name: 'callbridge_turn_model_latency_seconds',
    help: "From the caller's end of speech (or the response's creation) to the model's first audio delta, tools included",
    labelNames: ['trigger'] as const,
    buckets: TURN_BUCKETS_SECONDS,
    registers: [this.registry],
  });
  readonly turnBridgeLatencySeconds = new Histogram({
    name: 'callbridge_turn_bridge_latency_seconds',
    help: "From a response's first audio delta to its first audio sent to Twilio",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });
  readonly turnPlaybackStartSeconds = new Histogram({
    name: 'callbridge_turn_playback_start_seconds',
    help: "From a response's first audio sent to Twilio to its first mark echoed (the caller heard it)",
    buckets: [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2],
    registers: [this.registry],
  });
  readonly turnTotalSeconds = new Histogram({
    name: 'callbridge_turn_total_seconds',
    help: "From the caller's end of speech (or the response's creation) to the caller hearing the answer",
    labelNames: ['trigger'] as const,
    buckets: TURN_BUCKETS_SECONDS,
    registers: [this.registry],
  });
  readonly callFaults = new Counter({
    name: 'callbridge_call_faults_total',
    help: 'Unexpected errors inside one call (the call ended as failed, the others went on), by where',
    labelNames: ['where'] as const,
    registers: [this.registry],
  });
  readonly toolCalls = new Counter({
    name: 'callbridge_tool_calls_total',
    help: 'Function calls the bot made, by tool and outcome',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly toolCallSeconds = new Histogram({
    name: 'callbridge_tool_call_seconds',
    help: 'From a function call complete to its output, by tool',
    labelNames: ['tool'] as const,
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly storeWriteRetries = new Counter({
    name: 'callbridge_store_write_retries_total',
    help: 'Call-record writes that failed and were retried',
    registers: [this.registry],
  });
  readonly storeWritesPending = new Gauge({
    name: 'callbridge_store_writes_pending',
    help: 'Call-record writes queued and not yet stored',
    registers: [this.registry],
  });
  readonly jobs = new Counter({
    name: 'callbridge_jobs_total',
    help: 'Background jobs run, by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(options: { collectProcessMetrics?: boolean } = {}) {
    if (options.collectProcessMetrics) {
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    }
  }
}
