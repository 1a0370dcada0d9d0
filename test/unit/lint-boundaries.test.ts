import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: ROOT });

/** The import-x errors for a file at `filePath` (real or not) that imports `specifier`, linted with the project's config. */
async function importErrors(filePath: string, specifier: string): Promise<string[]> {
  const code = `import { thing } from '${specifier}';\n\nexport const used = thing;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((message) => message.ruleId?.startsWith('import-x/')).map((message) => `${message.ruleId}: ${message.message}`);
}

const NEVER_MEET = 'telephony/ (Twilio) and realtime/ (OpenAI) never know about each other: call/ joins them.';

describe("the lint rules for ARCHITECTURE.md's import direction", () => {
  it('keep telephony/ and realtime/ apart, and let call/ import both', async () => {
    expect(await importErrors('src/telephony/new.ts', '../realtime/connection.js')).toEqual([
      `import-x/no-restricted-paths: Unexpected path "../realtime/connection.js" imported in restricted zone. ${NEVER_MEET}`,
    ]);
    expect(await importErrors('src/realtime/new.ts', '../telephony/messages.js')).toEqual([
      `import-x/no-restricted-paths: Unexpected path "../telephony/messages.js" imported in restricted zone. ${NEVER_MEET}`,
    ]);
    expect(await importErrors('src/call/new.ts', '../realtime/connection.js')).toEqual([]);
    expect(await importErrors('src/call/new.ts', '../telephony/messages.js')).toEqual([]);
  });

  it('keep audio/ to itself and errors', async () => {
    expect(await importErrors('src/audio/new.ts', '../log.js')).toEqual([
      'import-x/no-restricted-paths: Unexpected path "../log.js" imported in restricted zone. audio/ is pure: it imports nothing of ours but errors.',
    ]);
    expect(await importErrors('src/audio/new.ts', '../errors.js')).toEqual([]);
    expect(await importErrors('src/audio/new.ts', './g711.js')).toEqual([]);
  });

  it('let only scripts/, test/ and the simulators themselves import src/sim', async () => {
    expect(await importErrors('src/call/new.ts', '../sim/scenarios.js')).toEqual([
      'import-x/no-restricted-paths: Unexpected path "../sim/scenarios.js" imported in restricted zone. Only scripts/ and test/ may import the simulators: they are not in the production build.',
    ]);
    expect(await importErrors('src/main-new.ts', './sim/scenarios.js')).toHaveLength(1);
    expect(await importErrors('src/sim/new.ts', './scenarios.js')).toEqual([]);
    expect(await importErrors('scripts/new.ts', '../src/sim/scenarios.js')).toEqual([]);
    expect(await importErrors('test/unit/new.test.ts', '../../src/sim/scenarios.js')).toEqual([]);
  });

  it('forbid import cycles in src/', async () => {
    // call-session.ts imports barge-in.ts, so barge-in.ts importing it back closes a cycle.
    expect(await importErrors('src/call/barge-in.ts', './call-session.js')).toEqual(['import-x/no-cycle: Dependency cycle detected']);
    expect(await importErrors('src/call/barge-in.ts', './playback-tracker.js')).toEqual([]);
  });
});
