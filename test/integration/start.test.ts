import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

describe('npm start without keys', () => {
  it('exits non-zero, names each missing or invalid variable, and points to the demo', async () => {
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };
    // Set and empty: dotenv never overrides a variable that exists, so a developer's .env cannot leak in.
    for (const name of ['OPENAI_API_KEY', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']) env[name] = '';
    env['PORT'] = 'eighty';
    const error = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env }).then(
      () => undefined,
      (caught: { code: number; stderr: string }) => caught,
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain('callbridge cannot start');
    for (const line of [
      '- PORT must be a number (got "eighty")',
      '- OPENAI_API_KEY is required',
      '- TWILIO_ACCOUNT_SID is required',
      '- TWILIO_AUTH_TOKEN is required',
    ]) {
      expect(error?.stderr).toContain(line);
    }
    expect(error?.stderr).toContain('npm run demo');
  });
});

describe('npm start with a bad TOOLS_FILE', () => {
  it('exits non-zero and names the tool and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callbridge-bad-tools-'));
    try {
      const toolsFile = join(dir, 'tools.json');
      writeFileSync(
        toolsFile,
        JSON.stringify({ tools: [{ name: 'lookup_order', description: 'Look up an order', parameters: { type: 'object' }, url: 'ftp://orders' }] }),
      );
      const env: Record<string, string> = {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        OPENAI_API_KEY: 'sk-test',
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'token',
        TOOLS_FILE: toolsFile,
      };
      const error = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env }).then(
        () => undefined,
        (caught: { code: number; stderr: string }) => caught,
      );
      expect(error?.code).toBe(1);
      expect(error?.stderr).toContain('callbridge cannot start');
      expect(error?.stderr).toMatch(/tool "lookup_order": url: .*http/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
