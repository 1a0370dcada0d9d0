import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderConsole, renderMarkdown } from './bench/report.js';
import type { BenchSection } from './bench/report.js';
import { benchBargeIn } from './bench/barge-in.js';
import { benchInstances } from './bench/instances.js';
import { benchLoad } from './bench/load.js';
import { benchLongCall } from './bench/long-call.js';
import { benchOperatorList } from './bench/operator-list.js';
import { benchPipeline } from './bench/pipeline.js';
import { benchToolDispatch } from './bench/tool-dispatch.js';
import { benchTranscoder } from './bench/transcoder.js';

/** Run one after another, so that no section's load skews another's timings. */
const SECTIONS: Record<string, () => Promise<BenchSection>> = {
  transcoder: benchTranscoder,
  'barge-in': benchBargeIn,
  'long-call': benchLongCall,
  'operator-list': benchOperatorList,
  'tool-dispatch': benchToolDispatch,
  instances: benchInstances,
  pipeline: benchPipeline,
  load: benchLoad,
};

/** `npm run bench -- load transcoder` runs only those sections, and only prints them: BENCHMARKS.md holds whole runs. */
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  console.error(`unknown bench section(s): ${unknown.join(', ')}; choose from ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}

const BENCHMARKS_PATH = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

const sections: BenchSection[] = [];
for (const [name, runSection] of Object.entries(SECTIONS)) {
  if (chosen.length === 0 || chosen.includes(name)) sections.push(await runSection());
}

const cpus = os.cpus();
const meta = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cpu: `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores`,
};

console.log(renderConsole(sections));
if (chosen.length > 0) process.exit(0);
await writeFile(BENCHMARKS_PATH, renderMarkdown(sections, meta));
console.log(`\nWrote ${BENCHMARKS_PATH}`);
