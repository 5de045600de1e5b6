import { findPortClashes, listenerBinding } from './listener-port-clashes';

const listener = (address: string, port: number, protocol?: string) => ({
  name: `${address}:${port}`,
  address: { socket_address: { address, port_value: port, ...(protocol ? { protocol } : {}) } },
});

describe(findPortClashes.name, () => {
  it('finds a second listener on the same address and port', () => {
    expect(findPortClashes([listener('10.0.0.1', 80), listener('10.0.0.1', 80)])).toEqual([
      { index: 1, heldBy: 0, binding: { address: '10.0.0.1', port: 80, protocol: 'TCP' } },
    ]);
  });

  it('treats a wildcard address as clashing with any address on that port', () => {
    expect(findPortClashes([listener('0.0.0.0', 80), listener('10.0.0.1', 80)])).toHaveLength(1);
    expect(findPortClashes([listener('10.0.0.1', 80), listener('::', 80)])).toHaveLength(1);
  });

  it('lets other ports, other addresses and other protocols share', () => {
    expect(
      findPortClashes([
        listener('10.0.0.1', 80),
        listener('10.0.0.2', 80),
        listener('10.0.0.1', 81),
        listener('10.0.0.1', 80, 'UDP'),
      ]),
    ).toEqual([]);
  });

  it('ignores listeners without a socket address (api_listener, pipes)', () => {
    expect(listenerBinding({ name: 'grpc', api_listener: {} })).toBeUndefined();
    expect(findPortClashes([{ name: 'a' }, { name: 'b' }])).toEqual([]);
  });
});
