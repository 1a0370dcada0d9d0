import { createHmac } from 'node:crypto';
import { UpstreamError } from '../errors.js';
import { callJson, summaryJson } from '../store/call-json.js';
import type { CallStore } from '../store/call-store.js';
import type { JobHandler } from './job-runner.js';
import { SUMMARY_WEBHOOK_JOB } from './post-call-summary.js';

export interface SummaryWebhookOptions {
  store: CallStore;
  url: string;
  secret: string;
  /** Per delivery attempt; default 10 s. */
  timeoutMs?: number;
  now?: () => Date;
}

const SIGNATURE_HEADER = 'x-callbridge-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: receivers recompute it with the shared
 * secret, compare in constant time, and reject old timestamps to stop replays.
 */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
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
          [SIGNATURE_HEADER]: signWebhook(options.secret, body, timestamp),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) {
        throw new UpstreamError('webhook_rejected', `summary webhook answered HTTP ${response.status}`, true);
      }
    },
  };
}
