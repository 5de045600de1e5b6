import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** A throw-away CA made with `openssl`, issuing server and client certificates with the SANs asked for. */
export class TestCertificateAuthority {
  private serial = 0;

  private constructor(
    readonly dir: string,
    readonly caPath: string,
  ) {}

  static create(): TestCertificateAuthority {
    const dir = mkdtempSync(join(tmpdir(), 'xds-mtls-'));
    const caPath = join(dir, 'ca.crt');
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      caPath,
      '-subj',
      '/CN=envoy-fleet test CA',
      '-days',
      '1',
    );
    return new TestCertificateAuthority(dir, caPath);
  }

  get ca(): Buffer {
    return readFileSync(this.caPath);
  }

  /** Issues a certificate with `subjectAltName` such as `IP:127.0.0.1` or `URI:spiffe://...`. */
  issue(name: string, subjectAltName: string): IssuedCertificate {
    this.serial += 1;
    const keyPath = join(this.dir, `${name}.key`);
    const csrPath = join(this.dir, `${name}.csr`);
    const certPath = join(this.dir, `${name}.crt`);
    const extPath = join(this.dir, `${name}.ext`);
    writeFileSync(extPath, `subjectAltName=${subjectAltName}\n`);
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      csrPath,
      '-subj',
      `/CN=${name}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      csrPath,
      '-CA',
      this.caPath,
      '-CAkey',
      join(this.dir, 'ca.key'),
      '-set_serial',
      String(this.serial),
      '-out',
      certPath,
      '-days',
      '1',
      '-extfile',
      extPath,
    );
    return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
