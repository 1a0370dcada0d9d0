import OpenAI, { APIError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { UpstreamError, errorMessage } from '../errors.js';

export interface SummaryTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface InCallSummaryRequest {
  /** The summary being replaced: the new one folds it in. */
  previousSummary: InCallSummary | undefined;
  turns: SummaryTurn[];
  /** English name of the language to write in; undefined: the caller's own. */
  language: string | undefined;
}

export const inCallSummarySchema = z.object({
  facts: z.array(z.string()).describe('Stable details: names, numbers, order ids, dates, addresses, promises made'),
  synopsis: z.string().describe('What has happened so far, in a few sentences'),
});
export type InCallSummary = z.infer<typeof inCallSummarySchema>;

export const callSummarySchema = z.object({
  synopsis: z.string().describe('Two to four sentences on what the call was about and how it went'),
  intent: z.string().describe("The caller's reason for calling"),
  outcome: z.string().describe('How the call ended: resolved, escalated, pending, abandoned, ...'),
  actionItems: z.array(z.string()).describe('Follow-ups someone must do, each one line'),
  keyFacts: z.array(z.string()).describe('Names, numbers, ids, dates and amounts mentioned'),
  sentiment: z.enum(['positive', 'neutral', 'negative', 'mixed']),
  language: z.string().describe('The language the caller spoke, in English (e.g. French)'),
});
export type CallSummary = z.infer<typeof callSummarySchema>;

export interface CallSummaryRequest {
  turns: SummaryTurn[];
  language: string | undefined;
}

/** The summarizing model, behind a port so calls, jobs and tests do not depend on OpenAI. */
export interface Summarizer {
  readonly model: string;
  summarizeInCall(request: InCallSummaryRequest): Promise<InCallSummary>;
  summarizeCall(request: CallSummaryRequest): Promise<CallSummary>;
}

export function languageInstruction(language: string | undefined): string {
  return language ? `Write it in ${language}.` : 'Write it in the language the caller spoke.';
}

export function renderTurns(turns: readonly SummaryTurn[]): string {
  return turns.map((turn) => `${turn.role === 'user' ? 'Caller' : 'Assistant'}: ${turn.text}`).join('\n');
}

/** The summary as the model reads it: a system message at the start of the conversation. */
export function renderInCallSummary(summary: InCallSummary): string {
  const facts = summary.facts.length > 0 ? summary.facts.map((fact) => `- ${fact}`).join('\n') : '- (none yet)';
  return `Summary of the earlier part of this call (for you only; do not read it out).\nFacts:\n${facts}\nSo far: ${summary.synopsis}`;
}

export interface OpenAiSummarizerOptions {
  apiKey: string;
  baseUrl: string;
  model: string;
  /** Per request; the SDK aborts after this long. */
  timeoutMs?: number;
  /** SDK retries on 408/409/429/5xx before the error reaches us. */
  maxRetries?: number;
}

export class OpenAiSummarizer implements Summarizer {
  readonly model: string;
  readonly #client: OpenAI;

  constructor(options: OpenAiSummarizerOptions) {
    this.model = options.model;
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      timeout: options.timeoutMs ?? 30_000,
      maxRetries: options.maxRetries ?? 2,
    });
  }

  summarizeInCall(request: InCallSummaryRequest): Promise<InCallSummary> {
    const previous = request.previousSummary
      ? `Previous summary:\nFacts:\n${request.previousSummary.facts.map((fact) => `- ${fact}`).join('\n')}\nSo far: ${request.previousSummary.synopsis}\n\n`
      : '';
    return this.#parse(
      [
        'You keep the memory of a live phone call between a caller and a voice assistant.',
        'Fold the previous summary (if any) and the new turns into one updated summary.',
        'Keep every stable detail in facts: names, phone numbers, order and account ids, dates, times,',
        'addresses, amounts, and anything the assistant promised. Keep the synopsis short.',
        languageInstruction(request.language),
      ].join(' '),
      `${previous}New turns:\n${renderTurns(request.turns)}`,
      inCallSummarySchema,
      'in_call_summary',
    );
  }

  summarizeCall(request: CallSummaryRequest): Promise<CallSummary> {
    return this.#parse(
      [
        'You summarize a finished phone call between a caller and a voice assistant for the human operators',
        'who follow up on it. Be factual; do not invent details that were not said.',
        languageInstruction(request.language),
      ].join(' '),
      `Transcript:\n${renderTurns(request.turns)}`,
      callSummarySchema,
      'call_summary',
    );
  }

  async #parse<T>(system: string, user: string, schema: z.ZodType<T>, name: string): Promise<T> {
    let completion;
    try {
      completion = await this.#client.chat.completions.parse({
        model: this.model,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
        response_format: zodResponseFormat(schema, name),
      });
    } catch (error) {
      const status = error instanceof APIError ? error.status : undefined;
      const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
      throw new UpstreamError('summary_request_failed', `summary request failed: ${errorMessage(error)}`, retryable, {
        cause: error,
      });
    }
    const message = completion.choices[0]?.message;
    // A refusal is the model's answer, not a glitch: asking again gets the same.
    if (message?.refusal) throw new UpstreamError('summary_refused', `the summary model refused: ${message.refusal}`, false);
    const parsed = message?.parsed;
    if (!parsed) throw new UpstreamError('summary_unparsable', 'the summary model returned no parsable summary', true);
    return parsed as T;
  }
}
