import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RealtimeSimulator } from '../../src/sim/realtime/simulator.js';
import { selfSignedCertificate } from '../support/tls.js';

const run = promisify(execFile);
const probe = new URL('../support/tls-probe.ts', import.meta.url).pathname;

describe('TLS endpoints trusted through NODE_EXTRA_CA_CERTS', () => {
  it('opens a wss:// Realtime session with a local certificate only when it is trusted', async () => {
    const tls = selfSignedCertificate();
    const simulator = await new RealtimeSimulator({ tls }).start();
    try {
      expect(simulator.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/v1\/realtime$/);
      const probeWith = async (extraEnv: Record<string, string>) => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', probe], {
          env: { ...process.env, REALTIME_URL: simulator.url, ...extraEnv },
        });
        return JSON.parse(stdout) as { realtime: string };
      };
      expect(await probeWith({ NODE_EXTRA_CA_CERTS: tls.certPath })).toEqual({ realtime: 'session.created' });
      expect((await probeWith({})).realtime).toMatch(/^closed/);
    } finally {
      await simulator.close();
    }
  });
});
