import type { CallStatus } from '../call-status.js';
import type { BotTiming, CallerTiming } from '../conversation/transcript.js';

export type { CallStatus } from '../call-status.js';
export type SummaryKind = 'in-call' | 'post-call';
export type CallDirection = 'inbound' | 'outbound';

/** What one outbound call was asked to do instead of the configured bot; unset fields keep the configured ones. */
export interface CallScript {
  instructions?: string | undefined;
  greeting?: string | undefined;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface NewCall {
  callSid: string;
  from?: string;
  to?: string;
  /** Default inbound. */
  direction?: CallDirection;
  startedAt: Date;
  /** The process that answered the call; its next start-up marks the call interrupted if it never ended. */
  instanceId: string;
}

export interface CallEnding {
  status: Exclude<CallStatus, 'in-progress'>;
  endedAt: Date;
  endReason: string;
  language?: string;
  usage?: TokenUsage;
  /** Latency figures and similar measurements, by name; null where nothing was measured. */
  figures?: Record<string, number | null>;
}

/** A function call the bot made during the call. */
export interface ToolCallView {
  name: string;
  arguments: Record<string, unknown> | string;
  output: string;
  outcome: string;
  durationMs: number;
}

/** A transfer to a person: why, and what they heard before the caller was connected. */
export interface HandoffRecord {
  reason: string;
  whisper: string;
}

export interface TurnRecord {
  callSid: string;
  /** Position in the call, from 0; saving the same seq again replaces the turn. */
  seq: number;
  role: 'user' | 'assistant' | 'tool';
  itemId: string;
  text: string;
  /** What the caller actually heard: `text` cut where they interrupted, or all of it. */
  heardText: string;
  interrupted: boolean;
  at: Date;
  /** The digits, when the caller keyed them in rather than spoke. */
  keys?: string | undefined;
  /** Set on tool turns. */
  tool?: ToolCallView | undefined;
  /** When it was said (caller turns) or how long its answer took (bot turns), once measured. */
  timing?: CallerTiming | BotTiming | undefined;
}

export interface SummaryRecord {
  callSid: string;
  kind: SummaryKind;
  content: Record<string, unknown>;
  /** Plain synopsis shown in the call list and matched by its search. */
  text: string;
  language?: string;
  model: string;
  /** Defaults to the database's clock. */
  createdAt?: Date;
}

export interface CallSummaryView {
  kind: SummaryKind;
  text: string;
  language: string | null;
  content: Record<string, unknown>;
  model: string;
  createdAt: Date;
}

/** What every view of a stored call carries. */
export interface CallRecord {
  callSid: string;
  status: CallStatus;
  startedAt: Date;
  endedAt: Date | null;
  from: string | null;
  to: string | null;
  direction: CallDirection;
  durationMs: number | null;
}

export interface CallListItem extends CallRecord {
  /** Text of the latest post-call summary. */
  summary: string | null;
}

export interface CallDetail extends CallRecord {
  streamSid: string | null;
  endReason: string | null;
  language: string | null;
  usage: TokenUsage | null;
  figures: Record<string, number | null> | null;
  handoff: HandoffRecord | null;
  /** The call's background work (summary, webhook delivery): a dead one failed for good, with why. */
  jobs: { kind: string; status: 'pending' | 'done' | 'dead'; attempts: number; lastError: string | null }[];
  /** Ordered by seq. */
  turns: TurnRecord[];
  /** The latest post-call summary. */
  summary: CallSummaryView | null;
  /** Oldest first. */
  inCallSummaries: CallSummaryView[];
}

export interface ListCallsQuery {
  /** Page size; default 50, at most 200. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  status?: CallStatus;
  /** Calls that started at or after this instant. */
  since?: Date;
  /** Calls that started before this instant. */
  until?: Date;
  /** Case-insensitive substring of any turn's text or any summary's text. */
  q?: string;
}

export interface ListCallsPage {
  /** Newest first. */
  calls: CallListItem[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export interface Job {
  id: number;
  kind: string;
  callSid: string;
  payload: Record<string, unknown>;
  /** Claims so far, this one included. */
  attempts: number;
}
