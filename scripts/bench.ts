import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderConsole, renderMarkdown } from './bench/report.js';
import type { BenchSection } from './bench/report.js';
import { benchBargeIn } from './bench/barge-in.js';
import { benchInstances } from './bench/instances.js';
import { benchLongCall } from './bench/long-call.js';
import { benchOperatorList } from './bench/operator-list.js';
import { benchToolDispatch } from './bench/tool-dispatch.js';
import { benchTranscoder } from './bench/transcoder.js';

/** Run one after another, so that no section's load skews another's timings. */
const SECTIONS: Array<() => Promise<BenchSection>> = [
  benchTranscoder,
  benchBargeIn,
  benchLongCall,
  benchOperatorList,
  benchToolDispatch,
  benchInstances,
];

const BENCHMARKS_PATH = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

const sections: BenchSection[] = [];
for (const runSection of SECTIONS) sections.push(await runSection());

const cpus = os.cpus();
const meta = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cpu: `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores`,
};

console.log(renderConsole(sections));
await writeFile(BENCHMARKS_PATH, renderMarkdown(sections, meta));
console.log(`\nWrote ${BENCHMARKS_PATH}`);
