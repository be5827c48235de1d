// The one way the tests get certificates: a test CA and leaf certificates it signs, made with the openssl
// CLI in a temp dir at test time. Nothing secret is committed, nothing outlives the test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerCertificate {
  key: Buffer;
  cert: Buffer;
}

/** `key`/`cert`: a leaf for 127.0.0.1 and localhost signed by the CA, for startEmulator({ tls }). */
export interface TestCertificates extends ServerCertificate {
  /** PEM file of the CA: what NODE_EXTRA_CA_CERTS points at. */
  caFile: string;
  /** Another leaf signed by the CA, e.g. `DNS:wrong-name.invalid` for a name check that must fail. */
  issue(subjectAltName: string): ServerCertificate;
  remove(): void;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const LOOPBACK_NAMES = 'IP:127.0.0.1,DNS:localhost';

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    ...EC_KEY,
    '-days',
    '2',
    '-subj',
    '/CN=Test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  let leaves = 0;
  const issue = (subjectAltName: string): ServerCertificate => {
    const leaf = (ext: string) => file(`leaf-${leaves}.${ext}`);
    leaves++;
    const commonName = subjectAltName.split(',')[0]!.replace(/^(IP|DNS):/, '');
    openssl(
      'req',
      '-new',
      ...EC_KEY,
      '-subj',
      `/CN=${commonName}`,
      '-keyout',
      leaf('key'),
      '-out',
      leaf('csr'),
    );
    writeFileSync(
      leaf('ext'),
      `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      leaf('csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      leaf('ext'),
      '-out',
      leaf('pem'),
    );
    return { key: readFileSync(leaf('key')), cert: readFileSync(leaf('pem')) };
  };
  return {
    caFile: file('ca.pem'),
    ...issue(LOOPBACK_NAMES),
    issue,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
