import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

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

/**
 * Plain CommonJS so that the child runs with no loader, whether the parent is compiled or runs
 * under tsx or vitest. Arguments: PGlite's entry point, start parameters (JSON), mode, directory.
 * In `memory` mode the fresh cluster is checkpointed (nothing left only in shared buffers) and
 * written to stdout as a tarball for `loadDataDir`.
 */
const CHILD_SCRIPT = `
const [entry, params, mode, dir] = process.argv.slice(1);
const { PGlite } = require(entry);
(async () => {
  const startParams = JSON.parse(params);
  const db = new PGlite(mode === 'dir' ? { dataDir: dir, startParams } : { startParams });
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

/** Runs initdb in a child process if `directory` holds no cluster yet. */
export async function initdbDirectoryOutOfProcess(directory: string, startParams: readonly string[]): Promise<void> {
  if (await exists(join(directory, 'PG_VERSION'))) return;
  await runChild(startParams, 'dir', directory);
}

let memoryTemplate: Promise<Blob | undefined> | undefined;

/**
 * A freshly initialized cluster as a gzipped tarball (about 5 MB), made once per process in a child and
 * loaded by every in-memory database after it; undefined when no child could be run, and the
 * caller then lets PGlite run initdb in-process.
 */
export function freshClusterTemplate(startParams: readonly string[]): Promise<Blob | undefined> {
  memoryTemplate ??= runChild(startParams, 'memory').then(
    (tar) => new Blob([tar]),
    () => undefined,
  );
  return memoryTemplate;
}

function runChild(startParams: readonly string[], mode: 'dir' | 'memory', directory = ''): Promise<Buffer> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const args = ['-e', CHILD_SCRIPT, entry, JSON.stringify(startParams), mode, directory];
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
