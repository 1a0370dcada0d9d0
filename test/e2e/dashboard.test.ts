import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_STATUSES } from '../../src/call-status.js';
import { callerClip } from '../../src/sim/assets.js';
import { startOfflineStack, waitFor, type OfflineStack } from '../../src/sim/offline-stack.js';
import { playScenario } from '../../src/sim/run-scenario.js';
import { englishSupportCall, type Scenario } from '../../src/sim/scenarios.js';
import { startExampleToolBackend, type ExampleToolBackend } from '../../src/sim/tool-backend.js';
import type { ToolCallView, TurnRecord } from '../../src/store/types.js';
import type { BotTiming } from '../../src/conversation/transcript.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM_PATH);
const OPERATOR_TOKEN = 'e2e-operator-token-0123456789';
/** Greeting and one exchange: a whole call in about 15 s of real time. */
const shortCall = { ...englishSupportCall, turns: englishSupportCall.turns.slice(0, 1) } satisfies Scenario;
const CALLER_LINE = callerClip(shortCall.turns[0]!.callerClip).transcript;
/** The bot looks the order up before it answers; the example backend knows this order. */
const ORDER_TOOL = shortCall.turns[0]?.tools?.[0] ?? fail('the English call no longer looks an order up');
/** Greeting, the caller's line, the bot's tool call, its answer. */
const CALL_ROLES = ['assistant', 'user', 'tool', 'assistant'];
/** Generous: each wait covers a real-time stretch of a call (greeting ~3 s, an exchange ~8 s). */
const WAIT_MS = 25_000;
/** A test that lives through a whole real-time call, which stretches when the full suite loads the machine. */
const CALL_TEST_TIMEOUT_MS = 90_000;
/** The simulated model's thinking time per response, so the figures shown are realistic. */
const MODEL_LATENCY_MS = 400;

// CI must run this test: a missing browser there is a broken runner, not a reason to skip.
describe.runIf(!hasChromium && Boolean(process.env.CI))('dashboard in Chromium', () => {
  it(`needs Chromium at ${CHROMIUM_PATH}`, () => {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium); browsers are never downloaded`);
  });
});

describe.skipIf(!hasChromium)(
  hasChromium ? 'dashboard in Chromium' : `dashboard in Chromium (skipped: no Chromium at ${CHROMIUM_PATH}; apt-get install chromium)`,
  () => {
    let stack: OfflineStack;
    let toolBackend: ExampleToolBackend;
    let profileDir: string;
    let context: BrowserContext;
    let page: Page;
    let finishedCallSid: string;
    /** The first call, played while the sign-in test runs; resolves once its summary is stored. */
    let firstCallSummarized: Promise<void>;
    const summarized = new Set<string>();
    /** Uncaught page errors and CSP violations: the page must have none. */
    const pageProblems: string[] = [];

    beforeAll(async () => {
      profileDir = mkdtempSync(join(tmpdir(), 'callbridge-e2e-'));
      toolBackend = await startExampleToolBackend();
      const toolsFile = join(profileDir, 'tools.json');
      writeFileSync(toolsFile, JSON.stringify({ tools: [orderToolEntry(toolBackend.url)] }));
      // Settled, not Promise.all: when one fails, the other is still assigned and closed by afterAll.
      const started = await Promise.allSettled([
        startOfflineStack({ simulator: { scenario: shortCall, timing: { modelLatencyMs: MODEL_LATENCY_MS } }, env: { OPERATOR_TOKEN, TOOLS_FILE: toolsFile } }).then(
          (value) => (stack = value),
        ),
        chromium.launchPersistentContext(profileDir, {
          executablePath: CHROMIUM_PATH,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
          viewport: { width: 1280, height: 900 },
        }).then((value) => (context = value)),
      ]);
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      stack.server.feed.on('summary', (summary) => summarized.add(summary.callSid));
      page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (error) => pageProblems.push(`uncaught: ${error.message}`));
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) pageProblems.push(`CSP: ${message.text()}`);
      });

      const caller = await stack.caller().dial();
      finishedCallSid = caller.callSid;
      firstCallSummarized = playScenario(caller, shortCall).then(() =>
        waitFor(() => summarized.has(caller.callSid), 'the post-call summary of the first call', WAIT_MS),
      );
      // Awaited by the test that needs it; this only keeps an early failure from going unhandled.
      firstCallSummarized.catch(() => undefined);
    });

    afterAll(async () => {
      await context?.close();
      await stack?.close();
      await toolBackend?.close();
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    });

    const row = (callSid: string): Locator => page.locator(`[data-testid="call-row"][data-call-sid="${callSid}"]`);
    const text = async (locator: Locator): Promise<string> => ((await locator.textContent()) ?? '').trim();
    const turns = (): Locator => page.locator('[data-testid="transcript"] [data-testid="turn"]');
    const turnCount = (): Promise<number> => turns().count();
    const turnRoles = (): Promise<string[]> => turns().evaluateAll((items) => items.map((item) => item.getAttribute('data-role') ?? ''));
    /** Each turn's markup by its position in the call. */
    const turnMarkup = (): Promise<Record<string, string>> =>
      turns().evaluateAll((items) => Object.fromEntries(items.map((item) => [item.getAttribute('data-seq') ?? '', item.outerHTML])));
    /** The value of a row of the call's facts, by its label. */
    const fact = (label: string): Promise<string> =>
      text(page.locator('[data-testid="call-facts"] dt', { hasText: label }).locator('xpath=following-sibling::dd[1]'));
    const toolTurn = (name: string): Locator => page.locator(`[data-testid="transcript"] [data-testid="turn"][data-role="tool"][data-tool="${name}"]`);

    /** The lookup the bot makes in every simulated call, answered by the example backend. */
    async function expectOrderLookup(): Promise<void> {
      const turn = toolTurn(ORDER_TOOL.name);
      expect(await text(turn.locator('[data-testid="tool-name"]'))).toBe(ORDER_TOOL.name);
      expect(await turn.getAttribute('data-outcome')).toBe('ok');
      expect(await text(turn.locator('[data-testid="tool-outcome"]'))).toBe('ok');
      expect(await text(turn.locator('[data-testid="tool-arguments"]'))).toBe('{"orderId": "4572"}');
      expect(await text(turn.locator('[data-testid="tool-output"]'))).toMatch(/^\{"orderId": "4572", "status": "shipped", .*\}$/);
      expect(await text(turn.locator('[data-testid="tool-duration"]'))).toMatch(/ ms$/);
    }

    /** Each bot turn shows the figures the API has for it, and the timeline draws every turn, wait and tool. */
    async function expectTurnLatency(stored: TurnRecord[]): Promise<void> {
      const bot = stored.filter((turn) => turn.role === 'assistant');
      expect(bot).toHaveLength(2);
      for (const turn of bot) {
        const timing = turn.timing as BotTiming;
        const line = page.locator(`[data-testid="turn"][data-seq="${turn.seq}"] [data-testid="turn-latency"]`);
        expect(Number(await line.getAttribute('data-total-ms'))).toBe(timing.totalMs);
        expect(Number(await line.getAttribute('data-model-ms'))).toBe(timing.modelLatencyMs);
        expect(await text(line.locator('[data-testid="latency-total"]'))).toBe(`waited ${Math.round(timing.totalMs!).toLocaleString('en-US')} ms`);
        expect(await text(line.locator('[data-testid="latency-model"]'))).toBe(`model ${Math.round(timing.modelLatencyMs).toLocaleString('en-US')} ms`);
      }
      // The greeting answers no speech, so its wait is the model's alone. How long that was is
      // turn-timeline.test.ts's to check on a fake clock: here a busy event loop has delivered
      // response.created and the first delta together (196 ms for the simulator's 400).
      const greeting = bot[0]!.timing as BotTiming;
      expect(greeting.modelLatencyMs).toBeGreaterThan(0);
      expect(greeting.speechEndedMs).toBeNull();
      // The answer after the lookup: two model round trips and the tool.
      expect(await page.locator(`[data-testid="turn"][data-seq="${bot[1]!.seq}"] [data-testid="latency-tools"]`).count()).toBe(1);

      const timeline = page.locator('[data-testid="timeline"]');
      expect(await timeline.locator('[data-testid="timeline-caller"]').count()).toBe(1);
      expect(await timeline.locator('[data-testid="timeline-bot"]').count()).toBe(2);
      expect(await timeline.locator('[data-testid="timeline-tool"]').count()).toBe(1);
      const waits = await timeline.locator('[data-testid="timeline-wait"]').evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('data-total-ms'))));
      expect(waits).toEqual(bot.map((turn) => (turn.timing as BotTiming).totalMs));
    }

    it('signs in through the page, after showing an error for a wrong token', async () => {
      await page.goto(stack.server.url);
      await page.locator('[data-testid="signin"]').waitFor();
      expect(await page.locator('[data-testid="app"]').isHidden()).toBe(true);

      await page.fill('[data-testid="token"]', 'not-the-operator-token');
      await page.click('[data-testid="sign-in"]');
      await page.locator('[data-testid="signin-error"]:not(:empty)').waitFor();
      expect(await text(page.locator('[data-testid="signin-error"]'))).toMatch(/not valid/i);
      expect(await page.locator('[data-testid="app"]').isHidden()).toBe(true);

      await page.fill('[data-testid="token"]', OPERATOR_TOKEN);
      await page.click('[data-testid="sign-in"]');
      await page.locator('[data-testid="app"]').waitFor();
      expect(await page.locator('[data-testid="signin"]').isHidden()).toBe(true);
      // The filter offers what the API accepts: the server's list, imported by the page.
      const statusOptions = page.locator('[data-testid="filter-status"] option');
      expect(await statusOptions.evaluateAll((options) => options.map((option) => option.getAttribute('value')))).toEqual(['', ...CALL_STATUSES]);
    });

    it('lists the finished call and shows its transcript and summary', async () => {
      await firstCallSummarized;
      // Read from the store this time, not from live events, and still signed in.
      await page.reload();
      const stored = await stack.server.store.getCall(finishedCallSid);
      const synopsis = stored?.summary?.text;
      expect(synopsis).toBeTruthy();

      await row(finishedCallSid).waitFor();
      expect(await row(finishedCallSid).locator('[data-testid="status"]').getAttribute('data-status')).toBe('completed');
      expect(await text(row(finishedCallSid).locator('[data-testid="caller"]'))).toBe(stored!.from);
      expect(await text(row(finishedCallSid).locator('[data-testid="row-summary"]'))).toBe(synopsis);

      await row(finishedCallSid).locator('a').click();
      await page.locator('[data-testid="summary-synopsis"]').waitFor();
      expect(await text(page.locator('[data-testid="summary-synopsis"]'))).toBe(synopsis);
      expect(await turnCount()).toBe(stored!.turns.length);
      const callerTurn = page.locator('[data-testid="turn"][data-role="user"] [data-testid="turn-text"]');
      expect(await text(callerTurn)).toBe(CALLER_LINE);
      expect(stored!.turns.map((turn) => turn.role)).toEqual(CALL_ROLES);
      expect(await turnRoles()).toEqual(CALL_ROLES);
      await expectOrderLookup();
      expect(await text(page.locator('[data-testid="call-facts"] [data-testid="end-reason"]'))).toBe(stored!.endReason);
      expect(await fact('Tool calls')).toBe('1');
      expect(await page.locator('[data-testid="handoff"]').isHidden()).toBe(true);
      await expectTurnLatency(stored!.turns);
    }, CALL_TEST_TIMEOUT_MS);

    it('follows a live call: it appears, its transcript grows, it ends and gets its summary', async () => {
      let documentLoads = 0;
      const onLoad = () => documentLoads++;
      page.on('load', onLoad);
      const caller = await stack.caller().dial();
      let playError: unknown;
      const played = playScenario(caller, shortCall).catch((error: unknown) => {
        playError = error;
      });

      await row(caller.callSid).waitFor({ timeout: WAIT_MS });
      expect(await row(caller.callSid).locator('[data-testid="status"]').getAttribute('data-status')).toBe('in-progress');
      const firstDuration = await text(row(caller.callSid).locator('[data-testid="duration"]'));
      await row(caller.callSid).locator('a').click();
      await page.waitForURL((url) => url.hash === `#call=${caller.callSid}`);
      await page.locator('[data-testid="detail-status"][data-status="in-progress"]').waitFor();
      const turnsAtStart = await turnCount();

      await page
        .locator('[data-testid="turn"][data-role="user"] [data-testid="turn-text"]', { hasText: CALLER_LINE })
        .waitFor({ timeout: WAIT_MS });
      // The tool call shows as the live feed brings it, between the caller's line and the answer.
      await turns().nth(CALL_ROLES.length - 1).waitFor({ timeout: WAIT_MS });
      expect(await page.locator('[data-testid="detail-status"]').getAttribute('data-status')).toBe('in-progress');
      expect(await turnRoles()).toEqual(CALL_ROLES);
      await expectOrderLookup();
      const liveTurns = await turnMarkup();
      expect(await turnCount()).toBeGreaterThan(turnsAtStart);
      expect(await text(row(caller.callSid).locator('[data-testid="duration"]'))).not.toBe(firstDuration);

      await played;
      expect(playError).toBeUndefined();
      await page.locator('[data-testid="detail-status"][data-status="completed"]').waitFor({ timeout: WAIT_MS });
      expect(await row(caller.callSid).locator('[data-testid="status"]').getAttribute('data-status')).toBe('completed');
      await page.locator('[data-testid="summary-synopsis"]').waitFor({ timeout: WAIT_MS });
      expect(await text(page.locator('[data-testid="summary-synopsis"]'))).toContain(CALLER_LINE);

      const stored = await stack.server.store.getCall(caller.callSid);
      expect(await turnCount()).toBe(stored!.turns.length);
      page.off('load', onLoad);
      expect(documentLoads).toBe(0);

      // Read back from the store, every turn looks as the live feed showed it.
      await page.reload();
      await toolTurn(ORDER_TOOL.name).waitFor();
      expect(await turnMarkup()).toEqual(liveTurns);
    }, CALL_TEST_TIMEOUT_MS);

    it('shows key presses, failed and long tool results, and a hand-off to a person', async () => {
      const seeded = await seedHandoffCall(stack);
      await page.goto(`${stack.server.url}/#call=${seeded.callSid}`);
      await page.locator('[data-testid="handoff"]').waitFor();

      expect(await turnRoles()).toEqual(['assistant', 'user', 'tool', 'tool', 'assistant', 'tool']);
      const keysTurn = page.locator('[data-testid="turn"][data-role="user"]');
      expect(await keysTurn.getAttribute('data-keys')).toBe('4572#');
      expect(await text(keysTurn.locator('[data-testid="turn-keys"]'))).toBe('keys 4572#');

      const rejected = toolTurn('lookup_order');
      expect(await rejected.getAttribute('data-outcome')).toBe('invalid_arguments');
      expect(await rejected.getAttribute('class')).toContain('failed');
      expect(await text(rejected.locator('[data-testid="tool-outcome"]'))).toBe('invalid arguments');
      // Arguments that are not JSON are shown as the model sent them.
      expect(await text(rejected.locator('[data-testid="tool-arguments"]'))).toBe(seeded.badArguments);
      expect(await text(rejected.locator('[data-testid="tool-output"]'))).toBe('{"error": "arguments are not valid JSON"}');
      expect(await text(rejected.locator('[data-testid="tool-duration"]'))).toBe('<1 ms');

      const history = toolTurn('order_history');
      expect(await history.getAttribute('data-outcome')).toBe('ok');
      const preview = history.locator('[data-testid="tool-output"]');
      expect(await preview.getAttribute('data-truncated')).toBe('true');
      expect(await text(preview)).toMatch(/^\{"orders": \[\{"orderId": "1000", .*…$/);
      const full = history.locator('[data-testid="tool-output-full"]');
      expect(await full.locator('pre').isVisible()).toBe(false);
      await full.locator('summary').click();
      expect(await full.locator('pre').textContent()).toBe(JSON.stringify(JSON.parse(seeded.longOutput), null, 2));
      expect(await text(history.locator('[data-testid="tool-duration"]'))).toMatch(/^1[,.\s\u202f]?234 ms$/);

      expect(await text(page.locator('[data-testid="handoff-reason"]'))).toBe(seeded.handoff.reason);
      const whisper = page.locator('[data-testid="handoff-whisper"]');
      expect(await whisper.textContent()).toBe(seeded.handoff.whisper);
      // Markup in call data stays text.
      expect(await whisper.locator('*').count()).toBe(0);
      expect(await text(page.locator('[data-testid="call-facts"] [data-testid="end-reason"]'))).toBe('transferred to a human');
      expect(await fact('Tool calls')).toBe('3');
      expect(pageProblems).toEqual([]);
    });

    it('goes back to the sign-in screen when the API answers 401', async () => {
      // The session cookie is gone (expired, or the token was rotated): the next request is refused.
      await context.clearCookies();
      await page.selectOption('[data-testid="filter-status"]', 'completed');
      await page.locator('[data-testid="signin"]').waitFor();
      expect(await text(page.locator('[data-testid="signin-error"]'))).toMatch(/session has ended/i);
      expect(await page.locator('[data-testid="call-row"]').count()).toBe(0);

      await page.fill('[data-testid="token"]', OPERATOR_TOKEN);
      await page.click('[data-testid="sign-in"]');
      await row(finishedCallSid).waitFor();
      await page.click('[data-testid="sign-out"]');
      await page.locator('[data-testid="signin"]').waitFor();
      expect(await page.locator('[data-testid="call-row"]').count()).toBe(0);

      await page.reload();
      await page.locator('[data-testid="signin"]').waitFor();
      expect(await text(page.locator('[data-testid="signin-error"]'))).toBe('');
      // The page's cookie jar, as its own requests would use it.
      expect((await page.request.get(`${stack.server.url}/api/calls`)).status()).toBe(401);
      expect(pageProblems).toEqual([]);
    });
  },
);

/** The one tool of the test's TOOLS_FILE, served by the example backend. */
function orderToolEntry(backendUrl: string) {
  return {
    name: ORDER_TOOL.name,
    description: "Look up an order's status by its order number",
    parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'], additionalProperties: false },
    url: `${backendUrl}/tools/${ORDER_TOOL.name}`,
  };
}

/**
 * A finished call written straight to the store, as a real one would be: the caller keys in an
 * order number, a lookup is refused, a long result comes back, and the bot transfers the caller.
 */
async function seedHandoffCall(stack: OfflineStack) {
  const { store } = stack.server;
  const callSid = `CA${'e2e0'.repeat(8)}`;
  const startedAt = new Date(Date.now() - 60_000);
  const at = (seconds: number) => new Date(startedAt.getTime() + seconds * 1000);
  const badArguments = '{"orderId": 4572';
  const longOutput = JSON.stringify({
    orders: Array.from({ length: 12 }, (_, index) => ({ orderId: String(1000 + index), status: 'delivered', total: 19.99 + index })),
  });
  const handoff = {
    reason: 'refund request',
    whisper: 'Caller <b>Ana</b> wants a refund for order 4572, which arrived damaged.',
  };
  await store.createCall({ callSid, from: '+14155550177', to: '+15005550006', startedAt, instanceId: 'e2e-seed' });
  const turn = (seq: number, role: 'user' | 'assistant' | 'tool', text: string, extra: { keys?: string; tool?: ToolCallView } = {}) =>
    store.saveTurn({ callSid, seq, role, itemId: `item_seed_${seq}`, text, heardText: text, interrupted: false, at: at(seq), ...extra });
  await turn(1, 'assistant', 'Hello, thanks for calling Acme support. How can I help you today?');
  await turn(2, 'user', '(pressed 4572#)', { keys: '4572#' });
  await turn(3, 'tool', `lookup_order(${badArguments})`, {
    tool: { name: 'lookup_order', arguments: badArguments, output: '{"error":"arguments are not valid JSON"}', outcome: 'invalid_arguments', durationMs: 0.4 },
  });
  await turn(4, 'tool', 'order_history({})', {
    tool: { name: 'order_history', arguments: {}, output: longOutput, outcome: 'ok', durationMs: 1234.4 },
  });
  await turn(5, 'assistant', 'Let me put you through to a colleague who can help with the refund.');
  await turn(6, 'tool', 'transfer_to_human({"reason":"refund request"})', {
    tool: { name: 'transfer_to_human', arguments: { reason: 'refund request' }, output: '{"ok":true}', outcome: 'ok', durationMs: 2 },
  });
  await store.setHandoff(callSid, handoff);
  await store.endCall(callSid, { status: 'completed', endedAt: at(30), endReason: 'transferred to a human', figures: { toolCalls: 3 } });
  return { callSid, badArguments, longOutput, handoff };
}

function fail(message: string): never {
  throw new Error(message);
}
