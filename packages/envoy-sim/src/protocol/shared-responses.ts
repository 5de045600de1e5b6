import { DiscoveryResponse } from '@envoy-fleet/proto/xds';

/**
 * SotW responses decoded once per distinct message: an xds-server hands every stream it serves alike the
 * same bytes, so a fleet of simulated Envoys in one process would otherwise decode each message once per
 * sim. Keyed by the bytes themselves (as latin1: an exact match), least recently used first out. The
 * decoded messages are shared: nothing may change them.
 */
export class SharedResponses {
  private readonly entries = new Map<string, DiscoveryResponse>();

  constructor(private readonly capacity = 1024) {}

  decode(bytes: Buffer): DiscoveryResponse {
    const key = bytes.toString('latin1');
    const known = this.entries.get(key);
    if (known !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const decoded = DiscoveryResponse.decode(bytes);
    this.entries.set(key, decoded);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return decoded;
  }
}

export const sharedResponses = new SharedResponses();
