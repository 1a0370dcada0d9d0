import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tls {
  key: Buffer;
  cert: Buffer;
  /** For the bridges' NODE_EXTRA_CA_CERTS. */
  certPath: string;
}

/** A throwaway self-signed certificate for 127.0.0.1 (openssl CLI), so the model side runs over TLS as OpenAI's does. */
export function benchCertificate(): Tls {
  const dir = mkdtempSync(join(tmpdir(), 'callbridge-bench-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath };
}
