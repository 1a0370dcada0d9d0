import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playScenario } from '../../src/sim/run-scenario.js';
import { metricValue, startHarness, waitFor, type Harness } from '../support/harness.js';
import { shortCall } from '../support/scenarios.js';

const OPERATOR_TOKEN = 'dead-jobs-operator-token';

describe('a summary webhook that can never succeed', () => {
  let harness: Harness;
  let endpoint: Server;
  const requests: string[] = [];

  beforeAll(async () => {
    endpoint = createServer((request, response) => {
      requests.push(request.url ?? '');
      request.resume();
      response.writeHead(404).end('no such hook');
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    harness = await startHarness({
      simulator: { scenario: shortCall },
      env: {
        OPERATOR_TOKEN,
        SUMMARY_WEBHOOK_URL: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/gone`,
        SUMMARY_WEBHOOK_SECRET: 'webhook-secret-0123456789',
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await new Promise<void>((resolve) => endpoint?.close(() => resolve()));
  });

  it('stops retrying after the 404: the delivery is dead with its error, on the call and in /metrics', async () => {
    const caller = await harness.caller().dial();
    await playScenario(caller, shortCall);
    type Detail = { jobs: { kind: string; status: string; attempts: number; lastError: string | null }[] };
    const detail = async () =>
      (await (await fetch(`${harness.server.url}/api/calls/${caller.callSid}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).json()) as Detail;
    await waitFor(async () => (await detail()).jobs.some((job) => job.status === 'dead'), 'the dead delivery', 20_000);
    const jobs = (await detail()).jobs;
    expect(jobs).toEqual([
      { kind: 'post-call-summary', status: 'done', attempts: 1, lastError: null },
      { kind: 'summary-webhook', status: 'dead', attempts: 1, lastError: 'summary webhook answered HTTP 404' },
    ]);
    expect(requests).toEqual(['/gone']);
    expect(metricValue(await harness.metrics(), 'callbridge_jobs_total', { kind: 'summary-webhook', outcome: 'dead' })).toBe(1);
  }, 60_000);
});
