import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOfflineStack } from '../../src/sim/offline-stack.js';
import { playScenario } from '../../src/sim/run-scenario.js';
import type { Scenario } from '../../src/sim/scenarios.js';
import { percentile } from '../lib/stats.js';
import type { BenchSection } from './report.js';

const CALLS = 4;
const TOOL_CALLS_PER_RESPONSE = 3;

const CALLER_LINES: Array<{ clip: string; reply: string }> = [
  { clip: 'en-order-status', reply: 'order-en' },
  { clip: 'en-change-address', reply: 'address-en' },
  { clip: 'en-goodbye', reply: 'goodbye-en' },
];

/** At each of the caller's lines the model makes a few function calls at once, then answers. */
const toolingCall: Scenario = {
  name: 'tool-dispatch',
  language: 'en',
  greeting: 'greeting-en',
  turns: CALLER_LINES.map(({ clip, reply }, line) => ({
    callerClip: clip,
    tools: Array.from({ length: TOOL_CALLS_PER_RESPONSE }, (_, index) => ({ name: 'lookup_order', arguments: { orderId: `${line}-${index}` } })),
    reply,
  })),
  fallbackReply: 'fallback-en',
  end: 'caller-hangs-up',
};

/**
 * Tool dispatch overhead through the real server: simultaneous calls whose model makes a few HTTP
 * tool calls at each turn, against a backend that answers at once. Measures callbridge's two legs on one clock:
 * arguments complete (simulator) -> request arrives (backend), and answer sent (backend) -> output
 * arrives (simulator).
 */
export async function benchToolDispatch(): Promise<BenchSection> {
  const answered = new Map<string, { requestAtMs: number; answeredAtMs: number }>();
  const backend = createServer((request, response) => {
    const requestAtMs = performance.now();
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { callSid, arguments: args } = JSON.parse(body) as { callSid: string; arguments: { orderId: string } };
      answered.set(`${callSid}/${args.orderId}`, { requestAtMs, answeredAtMs: performance.now() });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ orderId: args.orderId, status: 'shipped' }));
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'callbridge-bench-tools-'));
  const toolsFile = join(dir, 'tools.json');
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/lookup`;
  writeFileSync(toolsFile, JSON.stringify({ tools: [{ name: 'lookup_order', description: 'Look up an order', parameters: { type: 'object', properties: { orderId: { type: 'string' } } }, url }] }));
  const stack = await startOfflineStack({ simulator: { scenario: toolingCall }, env: { TOOLS_FILE: toolsFile } });
  try {
    const callers = await Promise.all(Array.from({ length: CALLS }, () => stack.caller().dial()));
    await Promise.all(callers.map((caller) => playScenario(caller, toolingCall)));
    const dispatchMs: number[] = [];
    const outputMs: number[] = [];
    stack.simulator.sessions.forEach((sim, index) => {
      const callSid = callers[index]!.callSid;
      const outputs = sim.receivedOf('conversation.item.create').map((received) => ({
        atMs: received.atMs,
        item: received.event['item'] as { type: string; call_id: string; output: string },
      }));
      for (const [callId, doneAtMs] of sim.functionCallsDoneAtMs) {
        const output = outputs.find((entry) => entry.item.call_id === callId);
        if (!output) throw new Error(`no output for ${callId}`);
        const orderId = (JSON.parse(output.item.output) as { orderId: string }).orderId;
        const http = answered.get(`${callSid}/${orderId}`);
        if (!http) throw new Error(`no request for ${callSid}/${orderId}`);
        dispatchMs.push(http.requestAtMs - doneAtMs);
        outputMs.push(output.atMs - http.answeredAtMs);
      }
    });
    const summary = (values: number[]) =>
      `p50 ${percentile(values, 50).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms, max ${Math.max(...values).toFixed(2)} ms`;
    const note = `${dispatchMs.length} tool calls: ${CALLS} simultaneous calls, ${TOOL_CALLS_PER_RESPONSE} function calls per response at ${CALLER_LINES.length} turns; contract 50 ms`;
    return {
      title: 'Tool dispatch (HTTP tools through the real server)',
      rows: [
        { metric: 'Arguments complete -> request sent', value: summary(dispatchMs), note: `simulator sends function_call_arguments.done -> the tool's HTTP request arrives; ${note}` },
        { metric: 'Answer -> output sent', value: summary(outputMs), note: 'the backend answers -> function_call_output arrives at the simulator' },
      ],
    };
  } finally {
    await stack.close();
    await new Promise<void>((resolve) => backend.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}
