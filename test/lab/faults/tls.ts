/** A certificate authority that did not sign the lab's certificate: for the CA-mismatch fault. */
import path from 'node:path';
import { run } from '../harness/exec.js';

export async function makeForeignCa(dir: string): Promise<string> {
  const ca = path.join(dir, 'foreign-ca.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'foreign-ca.key'), '-out', ca, '-subj', '/CN=Not the lab CA', '-days', '1',
  ], { label: 'openssl req (foreign CA)' });
  return ca;
}
