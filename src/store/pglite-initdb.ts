import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/**
 * PGlite's initdb is the most memory-hungry thing the embedded store ever does: it starts a
 * second PostgreSQL instance (its own 128 MiB+ WebAssembly memory, fully written, plus a
 * JavaScript copy of it restored before each of initdb's bootstrap runs) beside the one being
 * opened. A WebAssembly.Memory never shrinks and freed native memory is rarely returned to the
 * OS, so a process that ran initdb stayed about 0.5 GB above one that opened an existing
 * database. Running it in a short-lived child process leaves none of that in the server.
 */

/** Generous: initdb takes a few seconds, longer on a busy two-core machine. */
const INITDB_TIMEOUT_MS = 120_000;
/** How a `load` child says the kept template failed its checksum, before it wrote anything. */
const TEMPLATE_UNUSABLE_EXIT_CODE = 3;

/**
 * Plain CommonJS so that the child runs with no loader, whether the parent is compiled or runs
 * under tsx or vitest. Arguments: PGlite's entry point, start parameters (JSON), mode, directory,
 * template. In `memory` mode the fresh cluster is checkpointed (nothing left only in shared buffers)
 * and written to stdout as a tarball for `loadDataDir`; in `load` mode such a tarball becomes the
 * directory's cluster, without an initdb.
 */
const CHILD_SCRIPT = `
const [entry, params, mode, dir, template] = process.argv.slice(1);
const { PGlite } = require(entry);
(async () => {
  const startParams = JSON.parse(params);
  const options = { startParams };
  if (mode !== 'memory') options.dataDir = dir;
  if (mode === 'load') {
    const tar = require('node:fs').readFileSync(template);
    // gzip's checksum proves the template whole before anything is written into the directory.
    try { require('node:zlib').gunzipSync(tar); } catch { process.exit(${TEMPLATE_UNUSABLE_EXIT_CODE}); }
    options.loadDataDir = new Blob([tar]);
  }
  const db = new PGlite(options);
  await db.waitReady;
  if (mode === 'memory') {
    await db.exec('CHECKPOINT');
    const tar = await db.dumpDataDir('gzip');
    process.stdout.write(Buffer.from(await tar.arrayBuffer()));
  }
  await db.close();
})().catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});
`;

/** Thrown when no child process could be started at all: the caller may initdb in-process. */
export class InitdbSpawnError extends Error {}

/** The kept template failed its checksum; the child wrote nothing. */
class TemplateUnusableError extends Error {}

/**
 * Gives `directory` a cluster in a child process if it holds none yet: the kept template when there
 * is one (see templateFile), else initdb.
 */
export async function initdbDirectoryOutOfProcess(directory: string, startParams: readonly string[]): Promise<void> {
  if (await exists(join(directory, 'PG_VERSION'))) return;
  const template = templateFile(startParams);
  if (template === undefined || !(await exists(template))) {
    await runChild(startParams, 'dir', directory);
    return;
  }
  try {
    await runChild(startParams, 'load', directory, template);
  } catch (error) {
    if (!(error instanceof TemplateUnusableError)) throw error;
    await rm(template, { force: true });
    await runChild(startParams, 'dir', directory);
  }
}

let memoryTemplate: Promise<Blob | undefined> | undefined;

/**
 * A freshly initialized cluster as a gzipped tarball (about 5 MB), loaded by every in-memory database:
 * read from the kept template, or made once per process in a child (and kept); undefined when no
 * child could be run, and the caller then lets PGlite run initdb in-process.
 */
export function freshClusterTemplate(startParams: readonly string[]): Promise<Blob | undefined> {
  memoryTemplate ??= keptOrNewTemplate(startParams).then(
    (tar) => new Blob([tar]),
    () => undefined,
  );
  return memoryTemplate;
}

async function keptOrNewTemplate(startParams: readonly string[]): Promise<Buffer> {
  const template = templateFile(startParams);
  const kept = template === undefined ? undefined : await readFile(template).catch(() => undefined);
  if (kept !== undefined && (await isWholeGzip(kept))) return kept;
  const tar = await runChild(startParams, 'memory');
  if (template !== undefined) await keep(template, tar);
  return tar;
}

/** Bumped when what the child writes into a template changes, so an old one is never loaded. */
const TEMPLATE_FORMAT = 1;

/**
 * Where a fresh cluster is kept between processes: initdb costs seconds of CPU, and every demo, test
 * process and new data directory would otherwise pay it again for the same bytes. The file sits in
 * node_modules/.cache (the usual home of a tool's cache, gone with a clean install), named for
 * PGlite's version and the start parameters; undefined when PGlite is not under a node_modules.
 */
function templateFile(startParams: readonly string[]): string | undefined {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const marker = `${sep}node_modules${sep}`;
  const at = entry.lastIndexOf(marker);
  if (at === -1) return undefined;
  const modules = entry.slice(0, at + marker.length);
  try {
    const { version } = JSON.parse(readFileSync(join(modules, '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
    const key = createHash('sha256').update(JSON.stringify([TEMPLATE_FORMAT, version, startParams])).digest('hex').slice(0, 16);
    return join(modules, '.cache', 'callbridge', `pglite-cluster-${key}.tar.gz`);
  } catch {
    return undefined;
  }
}

/** Best effort, and atomic: a read-only install only loses the speed-up, and no reader sees half a file. */
async function keep(template: string, tar: Buffer): Promise<void> {
  const partial = `${template}.${process.pid}.partial`;
  try {
    await mkdir(dirname(template), { recursive: true });
    await writeFile(partial, tar);
    await rename(partial, template);
  } catch {
    await rm(partial, { force: true }).catch(() => undefined);
  }
}

/** Checks gzip's checksum by inflating into nothing, so the check holds no inflated copy in memory. */
async function isWholeGzip(bytes: Buffer): Promise<boolean> {
  try {
    await pipeline(Readable.from([bytes]), createGunzip(), new Writable({ write: (_chunk, _encoding, done) => done() }));
    return true;
  } catch {
    return false;
  }
}

function runChild(startParams: readonly string[], mode: 'dir' | 'load' | 'memory', directory = '', template = ''): Promise<Buffer> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const args = ['-e', CHILD_SCRIPT, entry, JSON.stringify(startParams), mode, directory, template];
  return new Promise((resolve, reject) => {
    // No execArgv: the parent's loaders (tsx, inspector ports) have no business in the child.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), INITDB_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new InitdbSpawnError(`cannot start initdb process: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(stdout));
      else if (code === TEMPLATE_UNUSABLE_EXIT_CODE && mode === 'load') reject(new TemplateUnusableError(`cluster template ${template} is damaged`));
      else reject(new Error(`initdb failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
