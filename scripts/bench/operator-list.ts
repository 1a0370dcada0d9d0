import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startOfflineStack, type OfflineStack } from '../../src/sim/offline-stack.js';
import { migrate, openSqlClient } from '../../src/store/index.js';
import { percentile } from '../lib/stats.js';
import type { BenchSection } from './report.js';

const CALLS = 10_000;
const API_SAMPLES = 20;
/** Rounds over every route before measuring: the first requests pay for JIT and WASM tier-up, whichever route is first. */
const WARM_UP_ROUNDS = 10;
const PAGE_LOAD_SAMPLES = 5;
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';
const CHROMIUM_PATH = '/usr/bin/chromium';
/** Said in one call in a hundred: a search has to look through many calls to fill a page. */
const RARE_WORD = 'refund';
/** Set by public/call-list.js when the first page of calls is in the DOM. */
const FIRST_PAGE_MARK = 'callbridge:first-page';

/**
 * Every call has a greeting, a question, an answer cut short by the caller, and a goodbye, plus a
 * post-call summary; one in fifty failed, one in a hundred asks for a refund. Calls are three
 * minutes apart, the newest ending just now.
 */
function seedStatements(now: Date): Array<{ sql: string; params?: unknown[] }> {
  return [
    {
      sql: `INSERT INTO calls (call_sid, from_number, to_number, status, started_at, ended_at, end_reason, language,
                               usage, figures, instance_id)
            SELECT 'CA' || lpad(to_hex(i), 32, '0'), '+1415' || lpad(i::text, 7, '0'), '+15005550006',
                   CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'completed' END,
                   $1::timestamptz - i * interval '3 minutes',
                   $1::timestamptz - i * interval '3 minutes' + (40 + i % 120) * interval '1 second',
                   CASE WHEN i % 50 = 0 THEN 'model unavailable' ELSE 'caller hung up' END,
                   'English',
                   jsonb_build_object('inputTokens', 900 + i % 400, 'outputTokens', 300 + i % 100, 'totalTokens', 1200 + i % 500),
                   jsonb_build_object('firstAudioMs', 300 + i % 250, 'bargeIns', 1, 'reconnects', 0),
                   'bench-seed'
            FROM generate_series(1, $2::integer) AS i`,
      params: [now, CALLS],
    },
    {
      sql: `INSERT INTO turns (call_sid, seq, role, item_id, text, heard_text, interrupted, at)
            SELECT c.call_sid, t.seq, t.role, 'item_' || t.seq, t.text, t.heard, t.interrupted,
                   c.started_at + t.seq * interval '10 seconds'
            FROM calls c
            CROSS JOIN LATERAL (VALUES
              (0, 'assistant', 'Hello, thanks for calling Acme support. How can I help you today?',
                  'Hello, thanks for calling Acme support. How can I help you today?', false),
              (1, 'user', CASE WHEN right(c.from_number, 2) = '07'
                               THEN 'I was charged twice for order ' || right(c.from_number, 5) || ' and would like a ${RARE_WORD}.'
                               ELSE 'Hi, I would like to check the status of my order ' || right(c.from_number, 5) || '.' END,
                  '', false),
              (2, 'assistant', 'Sure. That order shipped yesterday and should arrive on Thursday, and you will get an email.',
                  'Sure. That order shipped yesterday and should arrive on Thursday,', true),
              (3, 'user', 'That is all, thank you very much. Goodbye.', '', false)
            ) AS t(seq, role, text, heard, interrupted)`,
    },
    {
      sql: `INSERT INTO summaries (call_sid, kind, content, text, language, model, created_at)
            SELECT t.call_sid, 'post-call',
                   jsonb_build_object('synopsis', 'The caller said: ' || t.text, 'intent', t.text, 'outcome', 'resolved',
                                      'actionItems', '[]'::jsonb, 'keyFacts', jsonb_build_array(t.text),
                                      'sentiment', 'neutral', 'language', 'English'),
                   'The caller said: ' || t.text, 'English', 'bench', c.ended_at + interval '3 seconds'
            FROM turns t JOIN calls c USING (call_sid)
            WHERE t.seq = 1`,
    },
  ];
}

/**
 * The operator API over a realistic store: 10,000 calls seeded into the embedded database, then
 * list latencies through HTTP, and the dashboard's time to its first page in Chromium if present.
 */
export async function benchOperatorList(): Promise<BenchSection> {
  const dataDir = mkdtempSync(join(tmpdir(), 'callbridge-bench-'));
  let stack: OfflineStack | undefined;
  try {
    const seedMs = await seed(dataDir);
    // The stack opens the seeded directory; its default in-memory store cannot be reached to seed in bulk.
    stack = await startOfflineStack({ persistent: true, env: { OPERATOR_TOKEN, DATA_DIR: dataDir } });
    const base = stack.server.url;

    const cursor = (await getJson(base, '/api/calls')).nextCursor;
    if (typeof cursor !== 'string') throw new Error('the first page has no cursor');
    const routes = {
      firstPage: '/api/calls',
      secondPage: `/api/calls?cursor=${encodeURIComponent(cursor)}`,
      failed: '/api/calls?status=failed',
      search: `/api/calls?q=${RARE_WORD}`,
    };
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      for (const path of Object.values(routes)) await getJson(base, path);
    }
    const firstPage = await timeApi(base, routes.firstPage);
    const secondPage = await timeApi(base, routes.secondPage);
    const failed = await timeApi(base, routes.failed);
    const search = await timeApi(base, routes.search);
    const pageLoad = existsSync(CHROMIUM_PATH) ? await timeDashboard(base) : undefined;

    const apiNote = (what: string, result: ApiTiming) =>
      `${what}; ${result.calls} calls in the answer, ${API_SAMPLES} requests after ${WARM_UP_ROUNDS} warm-up rounds over all four, Bearer auth over loopback`;
    return {
      title: 'Operator API and dashboard (10,000 stored calls)',
      rows: [
        {
          metric: 'Seeded store',
          value: `${CALLS.toLocaleString('en')} calls, ${(CALLS * 4).toLocaleString('en')} turns, ${CALLS.toLocaleString('en')} summaries`,
          note: `embedded PGlite in a temporary DATA_DIR, bulk SQL in ${(seedMs / 1000).toFixed(1)} s`,
        },
        { metric: 'GET /api/calls, first page', value: latency(firstPage), note: apiNote('50 newest', firstPage) },
        { metric: 'Second page (cursor)', value: latency(secondPage), note: apiNote('calls 51-100', secondPage) },
        { metric: 'Status filter (failed)', value: latency(failed), note: apiNote('one call in 50 failed', failed) },
        {
          metric: `Text search (q=${RARE_WORD})`,
          value: latency(search),
          note: apiNote('said in one call in 100: turns and summaries scanned newest first', search),
        },
        pageLoad === undefined
          ? { metric: 'Dashboard: navigation to first page rendered', value: 'not measured', note: `no Chromium at ${CHROMIUM_PATH}` }
          : {
              metric: 'Dashboard: navigation to first page rendered',
              value: `median ${pageLoad.median.toFixed(0)} ms, max ${pageLoad.max.toFixed(0)} ms`,
              note: `headless Chromium, signed in, ${PAGE_LOAD_SAMPLES} loads after a warm-up; from navigation start to 50 rows in the DOM`,
            },
      ],
    };
  } finally {
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function seed(dataDir: string): Promise<number> {
  const client = await openSqlClient({ dataDir });
  try {
    await migrate(client);
    const startedMs = performance.now();
    await client.transaction(async (tx) => {
      for (const statement of seedStatements(new Date())) await tx.query(statement.sql, statement.params);
    });
    await client.query('ANALYZE');
    return performance.now() - startedMs;
  } finally {
    await client.close();
  }
}

interface ApiTiming {
  median: number;
  max: number;
  calls: number;
}

async function getJson(base: string, path: string): Promise<{ calls?: unknown[]; nextCursor?: unknown }> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return (await response.json()) as { calls?: unknown[]; nextCursor?: unknown };
}

/** Request to parsed body, as a client sees it. */
async function timeApi(base: string, path: string): Promise<ApiTiming> {
  const samples: number[] = [];
  let calls = 0;
  for (let i = 0; i < API_SAMPLES; i++) {
    const startedMs = performance.now();
    const body = await getJson(base, path);
    samples.push(performance.now() - startedMs);
    calls = body.calls?.length ?? 0;
  }
  return { median: percentile(samples, 50), max: Math.max(...samples), calls };
}

function latency(timing: ApiTiming): string {
  return `median ${timing.median.toFixed(1)} ms, max ${timing.max.toFixed(1)} ms`;
}

async function timeDashboard(base: string): Promise<{ median: number; max: number }> {
  const profileDir = mkdtempSync(join(tmpdir(), 'callbridge-bench-browser-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    // The context's request client shares the pages' cookie jar: the page loads already signed in.
    const signIn = await context.request.post(`${base}/api/session`, { data: { token: OPERATOR_TOKEN } });
    if (signIn.status() !== 204) throw new Error(`sign-in: HTTP ${signIn.status()}`);
    const page = context.pages()[0] ?? (await context.newPage());
    const samples: number[] = [];
    for (let i = 0; i <= PAGE_LOAD_SAMPLES; i++) {
      await page.goto(base);
      const renderedMs = await page.waitForFunction(
        (mark) => performance.getEntriesByName(mark)[0]?.startTime,
        FIRST_PAGE_MARK,
        { timeout: 30_000 },
      );
      const rows = await page.locator('[data-testid="call-row"]').count();
      if (rows !== 50) throw new Error(`the dashboard rendered ${rows} rows, expected 50`);
      if (i > 0) samples.push((await renderedMs.jsonValue()) as number);
    }
    return { median: percentile(samples, 50), max: Math.max(...samples) };
  } finally {
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}
