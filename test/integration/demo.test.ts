import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/** `npm run demo` is the first thing a new developer runs: it must keep working end to end. */
describe('npm run demo', () => {
  it.each(['english', 'handoff'])('runs the %s call offline and exits 0', async (scenario) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--scenario', scenario], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      timeout: 110_000,
    });
    expect(stdout).toContain('post-call summary');
    expect(stdout).toMatch(/time to first bot audio \(stream start -> caller hears\): \d+ ms/);
    const wav = /what the caller heard .*: (\S+\.wav)/.exec(stdout)?.[1];
    expect(wav && existsSync(wav)).toBe(true);
    if (scenario === 'handoff') expect(stdout).toContain('Twilio dials +14155550199');
    rmSync(wav!);
  }, 120_000);
});
