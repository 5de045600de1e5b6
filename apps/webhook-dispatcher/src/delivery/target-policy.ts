import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: Family;
}

/** A delivery the policy refuses: retrying would only knock on the same door again. */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
}

export interface TargetPolicyOptions {
  /** 127.0.0.0/8 and ::1: allowed in development and tests, refused in production. */
  readonly allowLoopback: boolean;
  /** Networks the operator refuses on top of the fixed ones (private networks, say). */
  readonly deniedCidrs: readonly Cidr[];
}

/** Refused whatever the settings: where a request from inside a cloud VM reaches its host, not a receiver. */
const ALWAYS_DENIED: readonly (readonly [string, Cidr])[] = [
  ['link-local (cloud metadata service)', cidr('169.254.0.0', 16)],
  ['link-local', cidr('fe80::', 10)],
  ['the cloud metadata service', cidr('fd00:ec2::254', 128)],
  ['unspecified', cidr('0.0.0.0', 8)],
  ['unspecified', cidr('::', 128)],
  ['multicast', cidr('224.0.0.0', 4)],
  ['broadcast', cidr('255.255.255.255', 32)],
  ['multicast', cidr('ff00::', 8)],
];

const LOOPBACK: readonly Cidr[] = [cidr('127.0.0.0', 8), cidr('::1', 128)];

/**
 * Where webhooks may go: http and https URLs whose every address is outside the refused networks. The
 * address check runs on what a host name resolves to when the connection is made (see
 * `guardedLookup`), so a name that later resolves elsewhere is caught too.
 */
export class TargetPolicy {
  private readonly rules: readonly { readonly reason: string; readonly list: BlockList }[];

  constructor(options: TargetPolicyOptions) {
    const rules: (readonly [string, Cidr])[] = [...ALWAYS_DENIED];
    if (!options.allowLoopback) rules.push(...LOOPBACK.map((range) => ['loopback', range] as const));
    rules.push(
      ...options.deniedCidrs.map((range): [string, Cidr] => ['denied by WEBHOOK_DENY_CIDRS', range]),
    );
    this.rules = rules.map(([reason, range]) => {
      const list = new BlockList();
      list.addSubnet(range.address, range.prefix, range.family);
      return { reason, list };
    });
  }

  /** Why `address` (an IP address) is refused, or null when it may be delivered to. */
  refusal(address: string): string | null {
    const normalized = withoutIpv4Mapping(address);
    const family = isIP(normalized) === 4 ? 'ipv4' : 'ipv6';
    const rule = this.rules.find(({ list }) => list.check(normalized, family));
    return rule === undefined ? null : `${address} is ${rule.reason}`;
  }

  /** The URL to post to; throws {@link TargetRefusedError} for another scheme or a refused IP literal. */
  checkUrl(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TargetRefusedError(`"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new TargetRefusedError(`only http and https URLs are delivered to, not ${parsed.protocol}`);
    }
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    const refused = isIP(host) === 0 ? null : this.refusal(host);
    if (refused !== null) throw new TargetRefusedError(`refused to deliver to ${parsed.host}: ${refused}`);
    return parsed;
  }
}

/** `10.0.0.0/8, fc00::/7` → CIDRs; throws naming the first entry that is not one. */
export function parseCidrList(value: string): Cidr[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [address = '', prefixText = '', ...rest] = entry.split('/');
      const version = isIP(address);
      const prefix = Number(prefixText);
      const bits = version === 4 ? 32 : 128;
      if (version === 0 || rest.length > 0 || !/^\d+$/.test(prefixText) || prefix > bits) {
        throw new Error(`expected CIDRs such as 10.0.0.0/8 or fc00::/7, got "${entry}"`);
      }
      return cidr(address, prefix);
    });
}

function cidr(address: string, prefix: number): Cidr {
  return { address, prefix, family: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
}

/** `::ffff:169.254.169.254` (or `::ffff:a9fe:a9fe`) is the IPv4 address it maps. */
function withoutIpv4Mapping(address: string): string {
  if (isIP(address) !== 6) return address;
  const canonical = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(canonical);
  if (mapped === null) return address;
  const [high, low] = [parseInt(mapped[1] ?? '0', 16), parseInt(mapped[2] ?? '0', 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
