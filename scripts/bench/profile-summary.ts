import { readFileSync } from 'node:fs';

/*
 * Where a `node --cpu-prof` profile spent its time, by function and by file: self time of each sampled
 * frame. Usage: tsx scripts/bench/profile-summary.ts <file.cpuprofile> [--skip-seconds S] [--until-seconds U] [--top N]
 * (only samples from S to U seconds into the profile: start-up and shutdown left out, the time under load kept).
 * Besides self time it prints inclusive time: the share of samples with the function anywhere on the stack.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [--skip-seconds S] [--until-seconds U] [--top N]');
  process.exit(2);
}
const option = (name: string, fallback: number) => {
  const index = rest.indexOf(name);
  return index === -1 ? fallback : Number(rest[index + 1]);
};
const skipUs = option('--skip-seconds', 0) * 1e6;
const untilUs = option('--until-seconds', Number.POSITIVE_INFINITY) * 1e6;
const top = option('--top', 30);

const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
const inclusive = new Map<string, number>();
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
let elapsedUs = 0;
let busyUs = 0;
let idleUs = 0;
for (let index = 0; index < profile.samples.length; index++) {
  const deltaUs = profile.timeDeltas[index] ?? 0;
  elapsedUs += deltaUs;
  if (elapsedUs < skipUs || elapsedUs > untilUs) continue;
  const frame = nodes.get(profile.samples[index]!)!.callFrame;
  if (frame.functionName === '(idle)') {
    idleUs += deltaUs;
    continue;
  }
  busyUs += deltaUs;
  const where = shortUrl(frame.url);
  const name = frameName(frame);
  byFunction.set(name, (byFunction.get(name) ?? 0) + deltaUs);
  const onStack = new Set<string>();
  for (let id: number | undefined = profile.samples[index]!; id !== undefined; id = parentOf.get(id)) onStack.add(frameName(nodes.get(id)!.callFrame));
  for (const caller of onStack) inclusive.set(caller, (inclusive.get(caller) ?? 0) + deltaUs);
  byFile.set(where || frame.functionName, (byFile.get(where || frame.functionName) ?? 0) + deltaUs);
}

console.log(`busy ${(busyUs / 1e6).toFixed(2)} s, idle ${(idleUs / 1e6).toFixed(2)} s`);
for (const [title, table] of [['by function', byFunction], ['by file', byFile], ['inclusive, by function', inclusive]] as const) {
  console.log(`\n${title}`);
  for (const [name, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / busyUs).toFixed(1).padStart(5)} %  ${name}`);
  }
}

function frameName(frame: ProfileNode['callFrame']): string {
  return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
}

/** node_modules/<package> or the project path, without the machine's prefix. */
function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length).split('/').slice(0, url.includes('/@', modules) ? 2 : 1).join('/');
  return url.replace(/^file:\/\/.*?\/(dist|src)\//, '$1/');
}
