import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tls {
  key: Buffer;
  cert: Buffer;
  /** For NODE_EXTRA_CA_CERTS of whatever must trust it. */
  certPath: string;
}

/** A throwaway self-signed certificate for 127.0.0.1, made with the openssl CLI: simulators serve TLS as OpenAI does. */
export function selfSignedCertificate(): Tls {
  const dir = mkdtempSync(join(tmpdir(), 'callbridge-tls-'));
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
