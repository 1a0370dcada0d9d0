import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SIM_ACCOUNT_SID, SIM_AUTH_TOKEN } from '../../src/sim/offline-stack.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
}

/** The environment a spawned server needs to run against the simulators (callers add the rest). */
export function simulatedServerEnv(simulators: { realtimeUrl: string; openaiUrl: string }, operatorToken: string): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    OPENAI_API_KEY: 'sk-simulator',
    OPENAI_REALTIME_URL: simulators.realtimeUrl,
    OPENAI_BASE_URL: simulators.openaiUrl,
    TWILIO_ACCOUNT_SID: SIM_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: SIM_AUTH_TOKEN,
    OPERATOR_TOKEN: operatorToken,
    // The spawn waits for the "listening" line, an info line.
    LOG_LEVEL: 'info',
  };
}

/** `npm start`'s entry point as its own process, so it can really be killed; resolves once it listens. */
export async function startSpawnedServer(env: Record<string, string>): Promise<SpawnedServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'callbridge listening' && entry.port) resolve(entry.port);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}
