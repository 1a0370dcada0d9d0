import { UpstreamError } from '../errors.js';
import { callJson, summaryJson } from '../http/call-json.js';
import type { CallStore } from '../store/call-store.js';
import { SUMMARY_WEBHOOK_JOB } from '../store/job-kinds.js';
import { signPayload, SIGNATURE_HEADER } from '../tools/signing.js';
import type { JobHandler } from './job-runner.js';

export interface SummaryWebhookOptions {
  store: CallStore;
  url: string;
  secret: string;
  /** Per delivery attempt; default 10 s. */
  timeoutMs?: number;
  now?: () => Date;
}

/** Hands each post-call summary to another system; retried by the job runner until it answers 2xx. */
export function summaryWebhookJob(options: SummaryWebhookOptions): JobHandler {
  return {
    kind: SUMMARY_WEBHOOK_JOB,
    async run(job) {
      const call = await options.store.getCall(job.callSid);
      if (!call?.summary) return;
      const body = JSON.stringify({ event: 'call.summary', ...callJson(call), summary: summaryJson(call.summary) });
      const timestamp = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'callbridge-webhook/1',
          [SIGNATURE_HEADER]: signPayload(options.secret, body, timestamp),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) {
        // A 4xx (but a timeout or rate limit) is the endpoint refusing this delivery: sending it again cannot help.
        const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
        throw new UpstreamError('webhook_rejected', `summary webhook answered HTTP ${response.status}`, retryable);
      }
    },
  };
}
