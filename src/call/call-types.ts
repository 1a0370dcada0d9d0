import type { ModelAudioFormat } from '../audio/model-codec.js';
import type { ResamplerEngine } from '../audio/resampler.js';
import type { CallStatus } from '../call-status.js';
import type { AppliedSummary } from '../conversation/in-call-summarizer.js';
import type { SummarizationSettings } from '../conversation/summarization-policy.js';
import type { FrameSeries } from '../frame-histogram.js';
import type { Summarizer } from '../conversation/summarizer.js';
import type { Turn } from '../conversation/transcript.js';
import type { Logger } from '../log.js';
import type { RealtimeUsage } from '../realtime/server-events.js';
import type { StreamStart } from '../telephony/media-stream.js';
import type { ToolCallRecord } from '../tools/call-tools.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { InterruptedItem } from './barge-in.js';
import type { BotTurn } from './turn-timeline.js';
import type { ModelLinkOptions, ModelLink } from './model-link.js';

/* What a CallSession is given, tells and measures: its contract with the composition root and observers. */

export type { CallStatus } from '../call-status.js';

export interface CallEnd {
  status: Exclude<CallStatus, 'in-progress'>;
  reason: string;
  durationMs: number;
  /** The call's stream went to another instance: this one served nothing and records nothing. */
  servedElsewhere?: true;
}

export interface CallFigures {
  /** Stream start to the first bot audio sent to Twilio. */
  firstAudioMs: number | undefined;
  bargeIns: number;
  reconnects: number;
  /** Longest time without a usable model session. */
  maxReconnectGapMs: number;
  summaries: number;
  /** Summarizing model time of the latest in-call summary. */
  lastSummaryLatencyMs: number | undefined;
  /** Context tokens that triggered the latest summary, and reported by the first response after it. */
  tokensBeforeSummary: number | undefined;
  tokensAfterSummary: number | undefined;
  toolCalls: number;
}

/** A transfer to a person: why, and what the person hears before the caller is connected. */
export interface Handoff {
  reason: string;
  whisper: string;
}

export type CallSessionEvents = {
  streamStarted: [StreamStart];
  turn: [Turn];
  turnUpdated: [Turn];
  usage: [RealtimeUsage];
  bargeIn: [{ reactionMs: number; interrupted: InterruptedItem[] }];
  firstAudio: [{ ms: number }];
  /** A bot turn is over (done, and its start heard or never to be): how long the caller waited. */
  botTurn: [BotTurn];
  toolCall: [ToolCallRecord];
  /** The bot is handing the caller to a human; the stream closes next and Twilio dials. */
  handoff: [Handoff];
  summary: [AppliedSummary];
  /** A new Realtime session replaced a lost or rotated one, after `gapMs` without a model. */
  reconnected: [{ gapMs: number }];
  droppedAudio: [{ reason: 'interrupted' | 'no_stream' | 'slow_phone' | 'model_unavailable'; ms: number }];
  modelRejected: [];
  modelError: [{ code: string }];
  /** An unexpected error in this call's handling; the call ends as failed. */
  fault: [{ where: string }];
  ended: [CallEnd];
};

/**
 * Where the time callbridge spends on each audio frame goes, by direction. Observed for every frame,
 * a hundred times a second per call, so it is a direct call into the series rather than an event.
 */
export interface FrameLatency {
  callerToModel: FrameSeries;
  modelToCaller: FrameSeries;
}

export interface CallSessionOptions {
  callSid: string;
  engine: ResamplerEngine;
  /** What the model side carries; the session config must ask the model for the same. Default PCM16 24 kHz. */
  modelAudioFormat?: ModelAudioFormat;
  /** Builds the call's link to the model; the session owns and closes it. */
  createModelLink: (hooks: Pick<ModelLinkOptions, 'seed' | 'isQuiet'>) => ModelLink;
  /** Extra instructions for the bot's opening line. */
  greeting: string;
  summarizer: Summarizer;
  /** When to summarize; `keepTurns` is also how many turns are replayed into a replacement session. */
  summarization: SummarizationSettings;
  /** Language of summaries; undefined: the language the caller speaks. */
  summaryLanguage: string | undefined;
  logger: Logger;
  now: () => number;
  /** The business's tools; the built-ins (end_call, transfer_to_human) come on top. */
  tools: ToolRegistry;
  /** The caller's and the called number, for tools. */
  parties: { from: string | undefined; to: string | undefined };
  /** Applied to everything about the call sent to the summarizer (in-call summaries, transfer briefs). */
  redact?: (text: string) => string;
  /** Bot audio generated before Twilio's stream is attached is held up to this much. */
  earlyAudioLimitMs?: number;
  /** Ends the call if Twilio never opens the media stream. */
  streamTimeoutMs?: number;
  /** Asked when the stream timeout passes: did another instance get the call's stream? */
  streamElsewhere?: () => Promise<boolean>;
  /** Spoken to the caller (mu-law 8 kHz) when the model cannot be reached, before hanging up. */
  apologyAudio?: Uint8Array;
  /** The bot may hand callers to a human (the `transfer_to_human` tool is offered to the model). */
  handoffEnabled?: boolean;
  /** Each frame's time in callbridge; not measured when absent. */
  frameLatency?: FrameLatency;
}
