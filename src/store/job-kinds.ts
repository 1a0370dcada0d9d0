/*
 * The kinds of durable job. Call recording and housekeeping enqueue them and src/jobs/ runs them;
 * both sides reach them here, next to the queue, so neither imports the other for a name.
 */

/** Summarizes a call once it has ended (or was found interrupted). */
export const POST_CALL_SUMMARY_JOB = 'post-call-summary';
/** Delivers a call's post-call summary to SUMMARY_WEBHOOK_URL. */
export const SUMMARY_WEBHOOK_JOB = 'summary-webhook';
