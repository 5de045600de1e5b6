import { type DiscoveryRequest, type Node, type Status } from '@envoy-fleet/proto/xds';
import { isWildcardType, type XdsTypeUrl } from '../xds/xds-types';

/**
 * One type's state on a state-of-the-world ADS stream, as Envoy's GrpcMuxImpl keeps it: the last
 * accepted `version_info`, the last response nonce, and the full set of names (empty = wildcard).
 * An ACK moves the version; a NACK keeps it and carries `error_detail` once.
 */
export class SotwSubscription {
  versionInfo = '';
  nonce = '';
  private names: readonly string[] = [];

  constructor(readonly typeUrl: XdsTypeUrl) {}

  get resourceNames(): readonly string[] {
    return this.names;
  }

  /** Returns whether the set changed (a request must go out). */
  setNames(names: Iterable<string>): boolean {
    if (isWildcardType(this.typeUrl)) return false;
    const sorted = [...new Set(names)].sort();
    const changed =
      sorted.length !== this.names.length || sorted.some((name, index) => name !== this.names[index]);
    this.names = sorted;
    return changed;
  }

  /** A new stream: nonces of the old one mean nothing; the version says what this Envoy already has. */
  resetStream(): void {
    this.nonce = '';
  }

  ack(version: string, nonce: string): void {
    this.versionInfo = version;
    this.nonce = nonce;
  }

  nack(nonce: string): void {
    this.nonce = nonce;
  }

  request(node: Node | undefined, errorDetail?: Status): DiscoveryRequest {
    return {
      versionInfo: this.versionInfo,
      node,
      resourceNames: [...this.names],
      resourceLocators: [],
      typeUrl: this.typeUrl,
      responseNonce: this.nonce,
      errorDetail,
    };
  }
}
