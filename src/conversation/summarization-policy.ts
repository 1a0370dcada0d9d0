import type { ContextItem } from './conversation.js';
import { SUMMARY_ITEM_PREFIX } from './seed.js';

export interface SummarizationSettings {
  /** Summarize once a response reports at least this many tokens in use. */
  triggerTokens: number;
  /** Turns (user or assistant messages) kept verbatim at the end of the context. */
  keepTurns: number;
  /**
   * A caller item whose transcript has not come this long after it was added never will (the event was
   * lost): it no longer holds the cut back. It is kept in the context, not summarized (there is no text
   * to summarize) and not deleted (the model keeps the audio it heard). Default 10 s.
   */
  transcriptTimeoutMs?: number;
}

const DEFAULT_TRANSCRIPT_TIMEOUT_MS = 10_000;

export interface SummarizationPlan {
  /** Items to fold into the summary and then delete, in conversation order. */
  itemIds: string[];
  /** The summary item currently in the context, replaced by the new one. */
  previousSummaryId: string | undefined;
}

/**
 * Whether to summarize now, and what. Pure: after each response.done the call asks, and only acts on a
 * plan. Never cuts a function call from its output, never takes an item whose transcript is unknown;
 * one whose transcript is overdue (`transcriptTimeoutMs`) is stepped over and kept.
 */
export function planSummarization(
  items: readonly ContextItem[],
  totalTokens: number | undefined,
  settings: SummarizationSettings,
  nowMs?: number,
): SummarizationPlan | undefined {
  if (totalTokens === undefined || totalTokens < settings.triggerTokens) return undefined;
  const isSummary = (item: ContextItem) => item.role === 'system' && item.id.startsWith(SUMMARY_ITEM_PREFIX);
  const isTurn = (item: ContextItem) => item.type === 'message' && (item.role === 'user' || item.role === 'assistant');
  const turnIndexes = items.flatMap((item, index) => (isTurn(item) ? [index] : []));
  if (turnIndexes.length <= settings.keepTurns) return undefined;

  const timeoutMs = settings.transcriptTimeoutMs ?? DEFAULT_TRANSCRIPT_TIMEOUT_MS;
  const overdue = (item: ContextItem) =>
    item.text === undefined && nowMs !== undefined && item.addedAtMs !== undefined && nowMs - item.addedAtMs >= timeoutMs;
  let cut = turnIndexes[turnIndexes.length - settings.keepTurns]!;
  const unknownAt = items.findIndex((item, index) => index < cut && !isSummary(item) && item.text === undefined && !overdue(item));
  if (unknownAt >= 0) cut = unknownAt;
  // A function call before the cut whose output lies after it would be separated: keep both.
  for (let index = 0; index < cut; index++) {
    const item = items[index]!;
    if (item.type !== 'function_call') continue;
    const outputAt = items.findIndex((other) => other.type === 'function_call_output' && other.callId === item.callId);
    if (outputAt < 0 || outputAt >= cut) {
      cut = index;
      break;
    }
  }

  const itemIds = items.slice(0, cut).filter((item) => !isSummary(item) && !overdue(item)).map((item) => item.id);
  if (itemIds.length === 0) return undefined;
  return { itemIds, previousSummaryId: [...items].reverse().find(isSummary)?.id };
}
