/**
 * Run as a child process with NODE_EXTRA_CA_CERTS set (Node reads it only at start-up): reaches the
 * Realtime endpoint (REALTIME_URL) and the HTTP API (OPENAI_BASE_URL) the way a call and its summary
 * do, and prints what happened as JSON.
 */
import { once } from 'node:events';
import { OpenAiSummarizer } from '../../src/conversation/summarizer.js';
import { silentLogger } from '../../src/log.js';
import { WsRealtimeConnection } from '../../src/realtime/connection.js';

const connection = new WsRealtimeConnection(
  { url: process.env['REALTIME_URL']!, model: 'gpt-realtime', apiKey: 'sk-test' },
  silentLogger(),
);
const realtime = await Promise.race([
  once(connection, 'event').then(([event]) => (event as { type: string }).type),
  once(connection, 'closed').then(([closed]) => `closed: ${(closed as { reason: string }).reason}`),
]);
connection.close();

const summarizer = new OpenAiSummarizer({ apiKey: 'sk-test', baseUrl: process.env['OPENAI_BASE_URL']!, model: 'gpt-test', maxRetries: 0, timeoutMs: 5000 });
const http = await summarizer
  .summarizeCall({ turns: [{ role: 'user', text: 'Hello, I need my order 4572.' }], language: undefined })
  .then((summary) => `summary: ${summary.synopsis}`, (error: unknown) => `failed: ${(error as Error).message}`);

process.stdout.write(JSON.stringify({ realtime, http }));
