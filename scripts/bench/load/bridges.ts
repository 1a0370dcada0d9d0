import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ModelAudio } from './fake-model.js';
import type { PhoneTarget } from './fake-phone.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const PUBLIC_URL = 'https://callbridge.example.test';
const TWILIO_ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const TWILIO_AUTH_TOKEN = 'load-benchmark-auth-token';

export interface BridgeKind {
  name: string;
  /** What the model side speaks with this bridge. */
  modelAudio: ModelAudio;
  launch(endpoints: { modelUrl: string; openaiUrl: string; certPath: string }): Promise<RunningBridge>;
}

export interface RunningBridge {
  pid: number;
  target: PhoneTarget;
  stop(): Promise<void>;
}

/**
 * `npm start`'s own node flags (package.json), so the benchmark measures the server as users run it:
 * `--v8-pool-size=2` there keeps V8's worker threads, and the allocator arenas each one holds, to two;
 * `--wasm-tiering-budget` keeps PGlite's start-up from leaving optimized Postgres code behind (README, Memory).
 */
const START_ARGS = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(' ')
  .slice(1);

/** The built server (`npm run build`), as `npm start` runs it: embedded store, default settings. */
export function callbridge(name: string, modelAudio: ModelAudio, env: Record<string, string> = {}): BridgeKind {
  return {
    name,
    modelAudio,
    async launch({ modelUrl, openaiUrl, certPath }) {
      const child = spawn(process.execPath, [...profileFlags(), ...START_ARGS], {
        cwd: ROOT,
        env: {
          ...process.env,
          PORT: '0',
          HOST: '127.0.0.1',
          PUBLIC_URL,
          DATA_DIR: mkdtempSync(join(tmpdir(), 'callbridge-bench-load-')),
          OPENAI_API_KEY: 'sk-load-benchmark',
          OPENAI_REALTIME_URL: modelUrl,
          OPENAI_BASE_URL: openaiUrl,
          TWILIO_ACCOUNT_SID,
          TWILIO_AUTH_TOKEN,
          OPERATOR_TOKEN: 'load-benchmark-operator-token',
          NODE_EXTRA_CA_CERTS: certPath,
          LOG_LEVEL: 'info',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const port = await listeningPort(child, (line) => {
        // Not every line is the server's log: V8's tracing flags (BENCH_LOAD_NODE_FLAGS) print their own.
        if (!line.startsWith('{')) return undefined;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        return entry.msg === 'callbridge listening' ? entry.port : undefined;
      });
      const serverUrl = `http://127.0.0.1:${port}`;
      return running(child, { kind: 'webhook', serverUrl, publicUrl: PUBLIC_URL, authToken: TWILIO_AUTH_TOKEN, accountSid: TWILIO_ACCOUNT_SID });
    },
  };
}

/** One of the benchmark's own baselines (baseline-bridge.ts). */
export function baseline(mode: 'relay' | 'floor'): BridgeKind {
  return {
    name: mode === 'relay' ? 'G.711 passthrough relay' : 'transcoding floor',
    modelAudio: mode === 'relay' ? 'pcmu' : 'pcm16',
    async launch({ modelUrl, certPath }) {
      const child = spawn(process.execPath, [...profileFlags(), '--import', 'tsx', 'scripts/bench/load/baseline-bridge.ts', mode], {
        cwd: ROOT,
        env: { ...process.env, MODEL_URL: modelUrl, MODEL_API_KEY: 'sk-load-benchmark', NODE_EXTRA_CA_CERTS: certPath },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const port = await listeningPort(child, (line) => /^listening (\d+)$/.exec(line)?.[1]);
      return running(child, { kind: 'stream', url: `ws://127.0.0.1:${port}/stream` });
    },
  };
}

/**
 * BENCH_LOAD_CPU_PROF=<dir> profiles the bridges under the load, and BENCH_LOAD_NODE_FLAGS runs them
 * with other flags of node's or V8's (`--max-semi-space-size=4`, say): NODE_OPTIONS refuses most.
 */
function profileFlags(): string[] {
  const profileDir = process.env['BENCH_LOAD_CPU_PROF'];
  const extra = (process.env['BENCH_LOAD_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
  return [...extra, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
}

async function listeningPort(child: ChildProcess, portIn: (line: string) => string | number | undefined): Promise<number> {
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      const port = portIn(line);
      if (port !== undefined) resolve(Number(port));
    });
    child.once('exit', (code) => reject(new Error(`bridge exited with ${code} before listening`)));
  });
  // Logs are drained unread from here on: the benchmark's own work should not grow with them.
  lines.close();
  child.stdout!.resume();
  return port;
}

function running(child: ChildProcess, target: PhoneTarget): RunningBridge {
  return {
    pid: child.pid!,
    target,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
