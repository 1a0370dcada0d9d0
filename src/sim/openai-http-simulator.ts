import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { detectLanguage } from '../conversation/language.js';

export interface ChatRequest {
  receivedAtMs: number;
  model: string;
  /** The name of the JSON schema asked for, if structured output was requested. */
  schemaName: string | undefined;
  system: string;
  user: string;
}

export interface OpenAiHttpSimulatorOptions {
  /** Answer this late, to show nothing waits on the summarizer. */
  delayMs?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  now?: () => number;
  /** The models `GET /v1/models/{id}` knows; unset: every model exists. */
  models?: readonly string[];
  /** The only API key accepted; unset: any bearer token. */
  apiKey?: string;
}

/**
 * An offline stand-in for the OpenAI HTTP API's chat completions at `/v1/chat/completions`, enough for
 * summaries: it answers structured-output requests with schema-valid JSON distilled from the transcript
 * in the prompt (extractive, deterministic) and records every request for tests to inspect. Also
 * `GET /v1/models/{id}`, which `callbridge doctor` asks to check the configured models exist.
 */
export class OpenAiHttpSimulator {
  readonly requests: ChatRequest[] = [];
  readonly #server: Server;
  readonly #now: () => number;
  readonly #tls: boolean;
  readonly #options: OpenAiHttpSimulatorOptions;
  #delayMs: number;
  #failures: number[] = [];
  #url = '';

  constructor(options: OpenAiHttpSimulatorOptions = {}) {
    this.#options = options;
    this.#delayMs = options.delayMs ?? 0;
    this.#now = options.now ?? (() => performance.now());
    this.#tls = options.tls !== undefined;
    this.#server = options.tls ? createHttpsServer(options.tls) : createHttpServer();
    this.#server.on('request', (request, response) => void this.#handle(request, response));
  }

  /** Base URL for OPENAI_BASE_URL, e.g. http://127.0.0.1:PORT/v1. */
  get url(): string {
    return this.#url;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `${this.#tls ? 'https' : 'http'}://127.0.0.1:${port}/v1`;
    return this;
  }

  setDelay(delayMs: number): void {
    this.#delayMs = delayMs;
  }

  /** The next requests fail with these HTTP statuses, one each. */
  failNext(...statuses: number[]): void {
    this.#failures.push(...statuses);
  }

  requestsFor(schemaName: string): ChatRequest[] {
    return this.requests.filter((request) => request.schemaName === schemaName);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { apiKey, models } = this.#options;
    if (apiKey !== undefined && request.headers.authorization !== `Bearer ${apiKey}`) {
      return json(response, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    const model = request.method === 'GET' ? /^\/v1\/models\/([^/?]+)$/.exec(request.url ?? '')?.[1] : undefined;
    if (model !== undefined) {
      const id = decodeURIComponent(model);
      if (models && !models.includes(id)) {
        return json(response, 404, { error: { message: `The model '${id}' does not exist`, type: 'invalid_request_error', code: 'model_not_found' } });
      }
      return json(response, 200, { id, object: 'model', created: 1_700_000_000, owned_by: 'system' });
    }
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      return json(response, 404, { error: { message: 'Not found', type: 'invalid_request_error' } });
    }
    if (!/^Bearer \S+/.test(request.headers.authorization ?? '')) {
      return json(response, 401, { error: { message: 'Missing API key', type: 'invalid_request_error' } });
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      model: string;
      messages: { role: string; content: string }[];
      response_format?: { type: string; json_schema?: { name: string } };
    };
    const entry: ChatRequest = {
      receivedAtMs: this.#now(),
      model: body.model,
      schemaName: body.response_format?.json_schema?.name,
      system: body.messages.find((message) => message.role === 'system')?.content ?? '',
      user: body.messages.filter((message) => message.role === 'user').map((message) => message.content).join('\n'),
    };
    this.requests.push(entry);
    if (this.#delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
    const failure = this.#failures.shift();
    if (failure !== undefined) {
      return json(response, failure, { error: { message: 'Simulated failure', type: 'server_error', code: null } });
    }
    const content = JSON.stringify(answer(entry));
    json(response, 200, {
      id: `chatcmpl-${randomBytes(8).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: Math.ceil((entry.system.length + entry.user.length) / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: 0 },
    });
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Extractive answers: facts are what the caller said, so tests can trace every detail to a turn. */
function answer(request: ChatRequest): unknown {
  const callerLines = [...request.user.matchAll(/^Caller: (.*)$/gm)].map((match) => match[1]!);
  const previousFacts = [...request.user.matchAll(/^- (.*)$/gm)].map((match) => match[1]!);
  const language = /Write it in ([^.]+)\./.exec(request.system)?.[1] ?? detectLanguage(callerLines)?.name ?? 'English';
  const first = callerLines[0] ?? '';
  if (request.schemaName === 'in_call_summary') {
    return {
      facts: [...previousFacts, ...callerLines],
      synopsis: `The caller has spoken ${callerLines.length} more time(s) since the last summary, starting with: ${first}`,
    };
  }
  if (request.schemaName === 'call_summary') {
    return {
      synopsis: `The caller said: ${first}`,
      intent: first,
      outcome: callerLines.length > 1 ? 'resolved' : 'pending',
      actionItems: callerLines.filter((line) => /\b(change|cancel|send|call back)\b/i.test(line)),
      keyFacts: callerLines.filter((line) => /\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve)\b/i.test(line)),
      sentiment: 'neutral',
      language,
    };
  }
  return { text: first };
}
