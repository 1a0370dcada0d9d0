import type { InCallSummary, Summarizer } from '../conversation/summarizer.js';
import type { Turn } from '../conversation/transcript.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** The transfer waits this long at most for a brief made at transfer time; then the reason alone. */
const BRIEF_TIMEOUT_MS = 5000;
const MAX_WHISPER_CHARS = 600;

export interface HandoffBriefRequest {
  reason: string;
  /** The call's latest in-call summary, when the call was long enough to have one. */
  inCallSummary: InCallSummary | undefined;
  turns: readonly Turn[];
  summarizer: Summarizer;
  language: string | undefined;
  logger: Logger;
}

/**
 * What the person taking a transfer hears before the caller is connected: why the caller is coming
 * and what the call was about. From the in-call summary when there is one, else summarized now (while
 * the bot announces the transfer); a summary that fails or is slow leaves just the reason.
 */
export async function handoffBrief(request: HandoffBriefRequest): Promise<{ reason: string; whisper: string }> {
  const { reason } = request;
  const summary = request.inCallSummary ?? (await summarizeNow(request));
  const whisper = `Incoming transfer from the phone assistant. Reason: ${reason}.${summary ? ` ${summary.synopsis}` : ''}`;
  return { reason, whisper: whisper.slice(0, MAX_WHISPER_CHARS) };
}

async function summarizeNow(request: HandoffBriefRequest): Promise<InCallSummary | undefined> {
  const turns = request.turns
    .filter((turn) => turn.role !== 'tool')
    .map((turn) => ({ role: turn.role as 'user' | 'assistant', text: turn.role === 'assistant' ? turn.heardText : turn.text }));
  if (turns.length === 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      request.summarizer.summarizeInCall({ previousSummary: undefined, turns, language: request.language }),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), BRIEF_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    request.logger.warn({ err: errorMessage(error) }, 'no summary for the transfer brief');
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
