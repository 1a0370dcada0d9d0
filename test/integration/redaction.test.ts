import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { playScenario } from '../../src/sim/run-scenario.js';
import { englishSupportCall, type Scenario } from '../../src/sim/scenarios.js';
import { startHarness, waitFor, type Harness } from '../support/harness.js';

const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = /4111[ -]?1111[ -]?1111[ -]?1111/;
const OPERATOR_TOKEN = 'redaction-test-operator-token';
const SAID = `My card number is ${CARD}, please update it.`;

/** The caller reads out a card number; the simulated transcription hears it as digits. */
const cardCall: Scenario = {
  ...englishSupportCall,
  name: 'card',
  turns: [{ callerClip: 'en-change-address', transcript: SAID, reply: 'address-en' }],
  end: 'caller-hangs-up',
};

describe('redaction (REDACT, default: cards and social security numbers)', () => {
  let harness: Harness;
  let webhook: Server;
  const deliveries: string[] = [];
  const logLines: string[] = [];

  beforeAll(async () => {
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        deliveries.push(body);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const logs = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    harness = await startHarness({
      simulator: { scenario: cardCall },
      logger: createLogger('trace', logs),
      env: {
        OPERATOR_TOKEN,
        SUMMARY_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/summaries`,
        SUMMARY_WEBHOOK_SECRET: 'webhook-secret-0123456789',
        SUMMARY_TRIGGER_TOKENS: '100',
        SUMMARY_KEEP_TURNS: '1',
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await new Promise<void>((resolve) => webhook?.close(() => resolve()));
  });

  it('a card number said on a call never reaches the store, the summary requests, the webhook or the logs', async () => {
    const caller = await harness.caller().dial();
    await playScenario(caller, cardCall);
    await waitFor(() => deliveries.length > 0, 'the summary webhook', 20_000);

    const detail = await (await fetch(`${harness.server.url}/api/calls/${caller.callSid}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).text();
    expect(detail).toContain('My card number is [card], please update it.');
    expect(detail).not.toMatch(CARD_DIGITS);

    expect(harness.openai.requests.length).toBeGreaterThan(0);
    for (const request of harness.openai.requests) expect(`${request.system}\n${request.user}`).not.toMatch(CARD_DIGITS);
    expect(harness.openai.requests.some((request) => request.user.includes('[card]'))).toBe(true);

    for (const body of deliveries) expect(body).not.toMatch(CARD_DIGITS);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).not.toMatch(CARD_DIGITS);
  }, 90_000);
});
