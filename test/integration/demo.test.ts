import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Every `npm run demo` line the README shows a newcomer: the plain demo and each `--scenario`. */
const README_SCENARIOS = [
  'english',
  ...[...readFileSync(`${ROOT}README.md`, 'utf8').matchAll(/npm run demo -- --scenario (\S+)/g)].map((match) => match[1]!),
];

/** What each scenario must show beyond the common lines, so a scenario that silently changes fails here. */
const EXPECTED_LINES: Record<string, RegExp[]> = {
  english: [/wait {4}heard \d+ ms after the caller stopped: model \d+ ms \(tools \d+ ms\), bridge [\d.]+ ms, playback start \d+ ms/, /tool {4}lookup_order\(\{"orderId":"4572"\}\) -> ok in \d+ ms: \{"orderId":"4572","status":"shipped"/, /call ended/],
  'barge-in': [/caller talked over the bot: playback cleared/, /bot {5}\(cut off: the caller heard "[^"]+", not "[^"]+"\)/, /call ended/],
  french: [/language: French/, /call ended/],
  handoff: [/handing the caller to a human/, /the person who answers hears first: "Incoming transfer/, /Twilio dials \+14155550199/],
  keys: [/caller {2}\(pressed 4572#\)/, /bot {5}Sure\. Order four five seven two/, /call ended/],
  'bot-hangs-up': [/tool {4}end_call\(/, /stored as completed: the bot ended the call: caller said goodbye/],
};

function runAsAUserDoes(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `npm run demo` is the first thing a new developer runs: every documented scenario must end and exit 0. */
describe('npm run demo, as the README documents it', () => {
  it('documents the scenarios this test knows what to expect of', () => {
    expect(README_SCENARIOS).toEqual(expect.arrayContaining(['english', 'barge-in', 'french', 'handoff', 'keys', 'bot-hangs-up']));
    for (const scenario of README_SCENARIOS) expect(EXPECTED_LINES[scenario], scenario).toBeDefined();
  });

  // The calls run in real time and mostly wait on the clock: run them side by side.
  it.concurrent.each(README_SCENARIOS)('npm run demo -- --scenario %s exits 0 with its lines', async (scenario) => {
    const { code, stdout, stderr } = await runAsAUserDoes(['--scenario', scenario]);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toContain('post-call summary');
    expect(stdout).toMatch(/time to first bot audio \(stream start -> caller hears\): \d+ ms/);
    expect(stdout).toMatch(/per answer \(the caller stops -> hears the bot\), median of \d+: total [\d.]+ ms = model [\d.]+ ms/);
    for (const line of EXPECTED_LINES[scenario] ?? []) expect(stdout).toMatch(line);
    const wav = /what the caller heard .*: (\S+\.wav)/.exec(stdout)?.[1];
    expect(wav && existsSync(wav)).toBe(true);
    rmSync(wav!);
  }, 120_000);
});
