import { detectLanguage } from '../conversation/language.js';
import type { CallSummary, Summarizer, SummaryTurn } from '../conversation/summarizer.js';
import type { CallStore } from '../store/call-store.js';
import type { JobQueue } from '../store/job-queue.js';
import { POST_CALL_SUMMARY_JOB, SUMMARY_WEBHOOK_JOB } from '../store/job-kinds.js';
import type { JobHandler } from './job-runner.js';

export interface PostCallSummaryOptions {
  store: CallStore;
  /** Where the webhook delivery is enqueued. */
  jobs: JobQueue;
  summarizer: Summarizer;
  /** Language of summaries; undefined: the caller's. */
  language: string | undefined;
  /** Enqueue a webhook delivery after each summary. */
  deliverWebhook: boolean;
}

/**
 * The summary operators read: once per call, in the call's language, structured (synopsis, intent,
 * outcome, action items, key facts, sentiment). Idempotent, so a retried job never writes two.
 */
export function postCallSummaryJob(options: PostCallSummaryOptions): JobHandler {
  return {
    kind: POST_CALL_SUMMARY_JOB,
    async run(job) {
      const { store } = options;
      const call = await store.getCall(job.callSid);
      if (!call || call.summary) return;
      // Operators need what the caller heard, not what the model generated and never said; what a
      // tool answered is part of what the bot knew.
      const turns: SummaryTurn[] = call.turns.map((turn): SummaryTurn => {
        if (turn.role === 'tool') return { role: 'assistant', text: `(tool ${turn.text} answered: ${turn.tool?.output ?? ''})` };
        return { role: turn.role, text: turn.role === 'assistant' ? turn.heardText : turn.text };
      }).filter((turn) => turn.text.trim() !== '');
      const language =
        options.language ??
        call.language ??
        detectLanguage(turns.filter((turn) => turn.role === 'user').map((turn) => turn.text))?.name;
      const summary: CallSummary =
        turns.length === 0
          ? {
              synopsis: 'The call ended before anything was said.',
              intent: 'unknown',
              outcome: call.endReason ?? call.status,
              actionItems: [],
              keyFacts: [],
              sentiment: 'neutral',
              language: language ?? 'unknown',
            }
          : await options.summarizer.summarizeCall({ turns, language });
      await store.addSummary({
        callSid: job.callSid,
        kind: 'post-call',
        content: summary,
        text: summary.synopsis,
        language: summary.language,
        model: turns.length === 0 ? 'none' : options.summarizer.model,
      });
      if (options.deliverWebhook) await options.jobs.enqueue(SUMMARY_WEBHOOK_JOB, job.callSid);
      await store.notifyFeed({ kind: 'summary', callSid: job.callSid }).catch(() => undefined);
    },
  };
}
