import { assistantTextMessage, createItem, systemMessage, userTextMessage, type RealtimeClientEvent } from '../realtime/client-events.js';
import { SYNTHETIC_ITEM_PREFIX, type ContextItem } from './conversation.js';

export const SUMMARY_ITEM_PREFIX = `${SYNTHETIC_ITEM_PREFIX}sum_`;

/**
 * Rebuilds a conversation in a fresh Realtime session: the current summary (a system message) and
 * the last `keepTurns` turns as text, since the service cannot take assistant audio back.
 * `idPrefix` keeps the new items' ids unique per session (the service caps ids at 32 characters).
 */
export function seedEvents(
  items: readonly ContextItem[],
  summaryText: string | undefined,
  keepTurns: number,
  idPrefix: string,
): RealtimeClientEvent[] {
  const turns = items
    .filter((item) => (item.role === 'user' || item.role === 'assistant') && item.text)
    .slice(-keepTurns);
  const events: RealtimeClientEvent[] = [];
  if (summaryText) events.push(createItem(systemMessage(`${SUMMARY_ITEM_PREFIX}${idPrefix}`, summaryText)));
  turns.forEach((turn, index) => {
    const id = `${SYNTHETIC_ITEM_PREFIX}${idPrefix}_${index}`;
    const text = turn.text!;
    events.push(createItem(turn.role === 'user' ? userTextMessage(id, text) : assistantTextMessage(id, text)));
  });
  return events;
}
