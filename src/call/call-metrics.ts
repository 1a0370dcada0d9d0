import type { Metrics } from '../metrics.js';
import type { TwilioMediaStream } from '../telephony/media-stream.js';
import type { CallRegistry } from './call-registry.js';
import type { CallSession } from './call-session.js';

/**
 * Metrics as an observer of call events, the way CallRecorder observes them for the store: the call
 * itself knows nothing of Prometheus.
 */
export function observeCallMetrics(registry: CallRegistry, metrics: Metrics): void {
  registry.on('call', (call) => observe(call, metrics));
}

/** Twilio's side of a call: the frames its media stream refused. */
export function observeMediaStreamMetrics(stream: TwilioMediaStream, metrics: Metrics): void {
  stream.on('rejected', (kind) => metrics.rejectedFrames.inc({ source: 'twilio', kind }));
}

function observe(call: CallSession, metrics: Metrics): void {
  metrics.callsActive.inc();
  call.on('firstAudio', ({ ms }) => metrics.firstAudioSeconds.observe(ms / 1000));
  call.on('bargeIn', () => metrics.bargeIns.inc());
  call.on('turn', ({ role }) => {
    if (role !== 'tool') metrics.turns.inc({ role: role === 'user' ? 'caller' : 'bot' });
  });
  call.on('botTurn', ({ timing }) => {
    const trigger = timing.speechEndedMs === null ? 'other' : 'speech';
    metrics.turnModelLatencySeconds.observe({ trigger }, timing.modelLatencyMs / 1000);
    // A turn cut off before it was sent or heard has no such figure; it is not a zero.
    if (timing.bridgeLatencyMs !== null) metrics.turnBridgeLatencySeconds.observe(timing.bridgeLatencyMs / 1000);
    if (timing.playbackStartMs !== null) metrics.turnPlaybackStartSeconds.observe(timing.playbackStartMs / 1000);
    if (timing.totalMs !== null) metrics.turnTotalSeconds.observe({ trigger }, timing.totalMs / 1000);
  });
  call.on('reconnected', () => metrics.realtimeReconnects.inc());
  call.on('droppedAudio', ({ reason, ms }) => metrics.droppedAudioMs.inc({ reason }, ms));
  call.on('modelRejected', () => metrics.rejectedFrames.inc({ source: 'realtime', kind: 'malformed' }));
  call.on('modelError', ({ code }) => metrics.realtimeErrors.inc({ code }));
  call.on('fault', ({ where }) => metrics.callFaults.inc({ where }));
  call.on('toolCall', ({ name, outcome, durationMs }) => {
    // A name the model made up would be a new series each time: only tools that exist get their own label.
    const tool = outcome === 'unknown_tool' ? 'unknown' : name;
    metrics.toolCalls.inc({ tool, outcome });
    metrics.toolCallSeconds.observe({ tool }, durationMs / 1000);
  });
  call.once('ended', (end) => {
    metrics.callsActive.dec();
    // A webhook-time session whose stream another instance took is not a call of this instance's.
    if (!end.servedElsewhere) metrics.callsTotal.inc({ status: end.status });
  });
}
