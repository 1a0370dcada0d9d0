import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerClip } from '../../src/sim/assets.js';
import { startOfflineStack, waitFor, type OfflineStack } from '../../src/sim/offline-stack.js';
import { playScenario } from '../../src/sim/run-scenario.js';
import { englishSupportCall, type Scenario } from '../../src/sim/scenarios.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM_PATH);
const OPERATOR_TOKEN = 'e2e-operator-token-0123456789';
/** Greeting and one exchange: a whole call in about 15 s of real time. */
const shortCall: Scenario = { ...englishSupportCall, turns: englishSupportCall.turns.slice(0, 1) };
const CALLER_LINE = callerClip(shortCall.turns[0]!.callerClip).transcript;
/** Generous: each wait covers a real-time stretch of a call (greeting ~3 s, an exchange ~8 s). */
const WAIT_MS = 25_000;
/** A test that lives through a whole real-time call, which stretches when the full suite loads the machine. */
const CALL_TEST_TIMEOUT_MS = 90_000;

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
      // Settled, not Promise.all: when one fails, the other is still assigned and closed by afterAll.
      const started = await Promise.allSettled([
        startOfflineStack({ simulator: { scenario: shortCall }, env: { OPERATOR_TOKEN } }).then((value) => (stack = value)),
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
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    });

    const row = (callSid: string): Locator => page.locator(`[data-testid="call-row"][data-call-sid="${callSid}"]`);
    const text = async (locator: Locator): Promise<string> => ((await locator.textContent()) ?? '').trim();
    const turnCount = (): Promise<number> => page.locator('[data-testid="transcript"] [data-testid="turn"]').count();

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
      // Greeting, the caller's line and the answer.
      await page.locator('[data-testid="transcript"] [data-testid="turn"]').nth(2).waitFor({ timeout: WAIT_MS });
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
    }, CALL_TEST_TIMEOUT_MS);

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
