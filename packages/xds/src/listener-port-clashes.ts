/** Where a Listener binds: what Envoy compares when it refuses two listeners on one port. */
export interface ListenerBinding {
  readonly address: string;
  readonly port: number;
  readonly protocol: string;
}

export interface PortClash {
  /** Index of the listener that cannot bind. */
  readonly index: number;
  /** Index of the earlier listener that holds the port. */
  readonly heldBy: number;
  readonly binding: ListenerBinding;
}

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '']);

/** The socket address a Listener in proto-JSON (snake_case) binds, if it binds one. */
export function listenerBinding(listener: Readonly<Record<string, unknown>>): ListenerBinding | undefined {
  const socket = recordAt(recordAt(listener['address'])?.['socket_address']);
  const port = socket?.['port_value'];
  if (socket === undefined || typeof port !== 'number') return undefined;
  const address = socket['address'];
  const protocol = socket['protocol'];
  return {
    address: typeof address === 'string' ? address : '',
    port,
    protocol: typeof protocol === 'string' ? protocol : 'TCP',
  };
}

/** Listeners of one proxy that bind a port an earlier one holds: same port and protocol, and the same
 *  address or a wildcard on either side. */
export function findPortClashes(listeners: readonly Readonly<Record<string, unknown>>[]): PortClash[] {
  const bound: { index: number; binding: ListenerBinding }[] = [];
  const clashes: PortClash[] = [];
  listeners.forEach((listener, index) => {
    const binding = listenerBinding(listener);
    if (binding === undefined) return;
    const holder = bound.find(({ binding: other }) => overlaps(other, binding));
    if (holder !== undefined) clashes.push({ index, heldBy: holder.index, binding });
    bound.push({ index, binding });
  });
  return clashes;
}

function overlaps(a: ListenerBinding, b: ListenerBinding): boolean {
  return (
    a.port === b.port &&
    a.protocol === b.protocol &&
    (a.address === b.address || WILDCARD_ADDRESSES.has(a.address) || WILDCARD_ADDRESSES.has(b.address))
  );
}

function recordAt(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
