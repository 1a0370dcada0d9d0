import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { signPayload, SIGNATURE_HEADER } from './signing.js';
import { ToolError, type Tool } from './tool.js';
import type { HttpToolEntry } from './tools-file.js';

export interface HttpToolOptions {
  /** Signs each request (SIGNATURE_HEADER) when set, so the endpoint can tell callbridge from anyone else. */
  secret: string | undefined;
  /** Unix time in seconds for the signature; default the system clock. */
  nowSeconds?: () => number;
}

/** An answer bigger than this is not something the model should read aloud; refuse it rather than buffer it. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A tool answered by POSTing the call's arguments to the entry's URL. */
export function httpTool(entry: HttpToolEntry, options: HttpToolOptions): Tool {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return {
    name: entry.name,
    description: entry.description,
    parameters: entry.parameters,
    timeoutMs: entry.timeoutMs,
    async handler(args, context) {
      const { callSid, from, to } = context;
      const body = JSON.stringify({ callSid, tool: entry.name, arguments: args, from: from ?? null, to: to ?? null });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'callbridge-tools/1' };
      if (options.secret !== undefined) headers[SIGNATURE_HEADER] = signPayload(options.secret, body, nowSeconds());
      let answer: { status: number; text: string };
      try {
        answer = await post(entry, headers, body, context.signal);
      } catch (error) {
        // An abort is the runner's doing (timeout, hang-up), not the endpoint's: let it through as is.
        if (context.signal.aborted || error instanceof ToolError) throw error;
        throw new ToolError(`${entry.name} endpoint unreachable`, { cause: error });
      }
      if (answer.status < 200 || answer.status > 299) throw new ToolError(`${entry.name} endpoint answered HTTP ${answer.status}`);
      const text = answer.text;
      if (text.trim() === '') return '{"ok":true}';
      try {
        // Re-serialized so the model gets compact JSON whatever the endpoint's formatting.
        return JSON.stringify(JSON.parse(text));
      } catch {
        return text;
      }
    },
  };
}

/*
 * node:http rather than fetch: the request is on the wire in the same event-loop turn as the function
 * call (fetch loads and warms undici on first use, tens of ms), and keep-alive agents reuse connections
 * to a tool's endpoint across calls.
 */
const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

function post(entry: HttpToolEntry, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
  const url = new URL(entry.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: agents[url.protocol === 'https:' ? 'https:' : 'http:'], signal },
      (response) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_ANSWER_BYTES) {
            response.destroy();
            reject(new ToolError(`${entry.name} endpoint answer too large`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
