#!/usr/bin/env node
// `npx callbridge ...` from a clone, with no build step. With tsx installed (a clone after `npm install`)
// it runs the TypeScript sources, so the command always runs the code being edited, never a stale build;
// without it (an install without dev dependencies) it runs the compiled dist/ from `npm run build`. tsx
// stays a devDependency: production never needs it.
import { existsSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const source = new URL('src/cli/entry.ts', root);
const built = new URL('dist/cli/entry.js', root);

const tsx = existsSync(source) ? await import('tsx/esm/api').catch(() => undefined) : undefined;
if (tsx) {
  tsx.register();
  await import(source.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write('callbridge: run `npm install` (to run from the sources) or `npm run build` first.\n');
  process.exit(1);
}
