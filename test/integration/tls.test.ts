import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OpenAiHttpSimulator } from '../../src/sim/openai-http-simulator.js';
import { RealtimeSimulator } from '../../src/sim/realtime/simulator.js';
import { selfSignedCertificate } from '../../src/sim/tls-certificate.js';

const run = promisify(execFile);
const probe = new URL('../support/tls-probe.ts', import.meta.url).pathname;

describe('TLS endpoints trusted through NODE_EXTRA_CA_CERTS', () => {
  it('reaches wss:// Realtime and https:// HTTP endpoints with a local certificate only when it is trusted', async () => {
    const tls = selfSignedCertificate();
    const realtime = await new RealtimeSimulator({ tls }).start();
    const http = await new OpenAiHttpSimulator({ tls }).start();
    try {
      expect(realtime.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/v1\/realtime$/);
      expect(http.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1$/);
      const probeWith = async (extraEnv: Record<string, string>) => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', probe], {
          env: { ...process.env, REALTIME_URL: realtime.url, OPENAI_BASE_URL: http.url, ...extraEnv },
        });
        return JSON.parse(stdout) as { realtime: string; http: string };
      };
      expect(await probeWith({ NODE_EXTRA_CA_CERTS: tls.certPath })).toEqual({
        realtime: 'session.created',
        http: 'summary: The caller said: Hello, I need my order 4572.',
      });
      const untrusted = await probeWith({});
      expect(untrusted.realtime).toMatch(/^closed/);
      expect(untrusted.http).toMatch(/^failed/);
    } finally {
      await realtime.close();
      await http.close();
    }
  });
});
