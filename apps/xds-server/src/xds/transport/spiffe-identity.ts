import type { PeerCertificate } from 'node:tls';

/** `spiffe://envoy-fleet/tenant/<tenant id>/proxy/<node id>`, the identity a proxy's certificate carries. */
const SPIFFE_ID = /^spiffe:\/\/envoy-fleet\/tenant\/([^/]+)\/proxy\/([^/]+)$/;

export interface ProxyIdentity {
  readonly tenantId: string;
  readonly nodeId: string;
}

/** The proxy identities among a certificate's URI SANs (node id and tenant percent-decoded). */
export function proxyIdentitiesOf(certificate: PeerCertificate | undefined): ProxyIdentity[] {
  const subjectAltName = certificate?.subjectaltname;
  if (subjectAltName === undefined || subjectAltName === '') return [];
  return subjectAltName
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('URI:'))
    .flatMap((entry) => {
      const match = SPIFFE_ID.exec(entry.slice('URI:'.length));
      if (match === null) return [];
      try {
        return [{ tenantId: decodeURIComponent(match[1] ?? ''), nodeId: decodeURIComponent(match[2] ?? '') }];
      } catch {
        return [];
      }
    });
}

/** Why a stream's certificate does not entitle it to the node id it claims, or undefined when it does. */
export function identityMismatch(
  certificate: PeerCertificate | undefined,
  nodeId: string,
  tenantId: string | undefined,
): string | undefined {
  const identities = proxyIdentitiesOf(certificate);
  if (identities.length === 0) {
    return 'the client certificate has no URI SAN spiffe://envoy-fleet/tenant/<tenant>/proxy/<node id>';
  }
  if (identities.some((identity) => identity.nodeId === nodeId && identity.tenantId === tenantId))
    return undefined;
  const names = identities
    .map((identity) => `tenant "${identity.tenantId}" proxy "${identity.nodeId}"`)
    .join(', ');
  return `the client certificate identifies ${names}, not tenant "${tenantId ?? '(unknown)'}" proxy "${nodeId}"`;
}
