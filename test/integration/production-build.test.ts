import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
/**
 * Dev dependencies production code may import because it works without them; each import is guarded.
 * pino-pretty: `callbridge dev` prints JSON lines when it is missing.
 */
const OPTIONAL = new Set(['pino-pretty']);

/** `pkg`, `pkg/sub`, `@scope/pkg/sub` -> the package's name. */
const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The production build (`npm run build`'s tsconfig), into a directory of its own so dist/ is left alone. */
let outDir: string;

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'callbridge-build-'));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('the production build', () => {
  it('starts at main.js and leaves the simulators out', () => {
    expect(existsSync(join(outDir, 'main.js'))).toBe(true);
    expect(existsSync(join(outDir, 'cli/entry.js'))).toBe(true);
    expect(existsSync(join(outDir, 'sim'))).toBe(false);
  });

  it('imports only node built-ins, dependencies and files of its own', () => {
    const problems: string[] = [];
    for (const file of jsFiles(outDir)) {
      const name = relative(outDir, file);
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName: specifier } of importedFiles) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (!existsSync(target)) problems.push(`${name}: ${specifier} is not in the build`);
        } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
          const pkg = packageOf(specifier);
          if (!(pkg in manifest.dependencies) && !OPTIONAL.has(pkg)) problems.push(`${name}: ${pkg} is not a dependency`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
