import {
  allocatePorts,
  type CandidateNode,
  chooseProxiesToRemove,
  nextOrdinals,
  planPlacement,
} from './placement';

const demand = { cpuMillicores: 500, memoryMib: 256 };

function vm(id: string, fields: Partial<CandidateNode> = {}): CandidateNode {
  return {
    id,
    hostname: id,
    zone: null,
    capacity: { cpuMillicores: 4000, memoryMib: 8192 },
    allocated: { cpuMillicores: 0, memoryMib: 0 },
    groupProxies: 0,
    proxyPortRange: { start: 10000, end: 10099 },
    adminPortRange: { start: 20000, end: 20099 },
    takenPorts: new Set(),
    ...fields,
  };
}

describe(planPlacement.name, () => {
  it('spreads a group across zones before it doubles up in one', () => {
    const nodes = [
      vm('a1', { zone: 'a' }),
      vm('a2', { zone: 'a' }),
      vm('b1', { zone: 'b' }),
      vm('c1', { zone: 'c' }),
    ];

    const sut = planPlacement(nodes, 4, demand);

    expect(sut.unplaced).toBe(0);
    expect(sut.nodeIds.slice(0, 3).sort()).toEqual(['a1', 'b1', 'c1']);
    expect(sut.nodeIds[3]).toBe('a2');
  });

  it('counts the proxies the group already has in each zone', () => {
    const nodes = [
      vm('a1', { zone: 'a', groupProxies: 2 }),
      vm('b1', { zone: 'b' }),
      vm('b2', { zone: 'b' }),
    ];

    expect(planPlacement(nodes, 2, demand).nodeIds).toEqual(['b1', 'b2']);
  });

  it('prefers the VM with the most free capacity within a zone', () => {
    const nodes = [
      vm('busy', { zone: 'a', allocated: { cpuMillicores: 3000, memoryMib: 0 } }),
      vm('idle', { zone: 'a' }),
    ];

    expect(planPlacement(nodes, 1, demand).nodeIds).toEqual(['idle']);
  });

  it('skips VMs without room for the demand and reports what it could not place', () => {
    const nodes = [
      vm('small', { capacity: { cpuMillicores: 1000, memoryMib: 8192 } }),
      vm('no-memory', { capacity: { cpuMillicores: 4000, memoryMib: 200 } }),
    ];

    const sut = planPlacement(nodes, 3, demand);

    expect(sut).toEqual({ nodeIds: ['small', 'small'], unplaced: 1 });
  });

  it('treats an exhausted port range as a full VM', () => {
    const nodes = [
      vm('ports', { proxyPortRange: { start: 10000, end: 10001 }, takenPorts: new Set([10000]) }),
      vm('zoned', { zone: 'z', groupProxies: 5 }),
    ];

    expect(planPlacement(nodes, 2, demand).nodeIds).toEqual(['ports', 'zoned']);
  });

  it('places nothing when there is no VM', () => {
    expect(planPlacement([], 2, demand)).toEqual({ nodeIds: [], unplaced: 2 });
  });
});

describe(allocatePorts.name, () => {
  const ranges = {
    proxyPortRange: { start: 10000, end: 10002 },
    adminPortRange: { start: 20000, end: 20001 },
  };

  it('takes the lowest free port of each range and records them as taken', () => {
    const taken = new Set([10000, 20000]);

    expect(allocatePorts(ranges, taken)).toEqual({ proxyPort: 10001, adminPort: 20001 });
    expect([...taken].sort()).toEqual([10000, 10001, 20000, 20001]);
  });

  it('returns null when a range is exhausted, taking nothing', () => {
    const taken = new Set([20000, 20001]);

    expect(allocatePorts(ranges, taken)).toBeNull();
    expect(taken.size).toBe(2);
  });

  it('never gives the same port twice when the ranges overlap', () => {
    const overlapping = { proxyPortRange: { start: 1, end: 2 }, adminPortRange: { start: 1, end: 2 } };

    expect(allocatePorts(overlapping, new Set())).toEqual({ proxyPort: 1, adminPort: 2 });
  });
});

describe(nextOrdinals.name, () => {
  it('fills gaps from 1 upwards', () => {
    expect(nextOrdinals(new Set([1, 3]), 3)).toEqual([2, 4, 5]);
  });
});

describe(chooseProxiesToRemove.name, () => {
  it('removes the newest first, the highest instance number among equals', () => {
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
    const proxies = [
      { id: 'old', ordinal: 1, createdAt: at(0) },
      { id: 'newest', ordinal: 2, createdAt: at(9) },
      { id: 'same-time-low', ordinal: 3, createdAt: at(5) },
      { id: 'same-time-high', ordinal: 4, createdAt: at(5) },
    ];

    expect(chooseProxiesToRemove(proxies, 3).map((proxy) => proxy.id)).toEqual([
      'newest',
      'same-time-high',
      'same-time-low',
    ]);
    expect(chooseProxiesToRemove(proxies, 0)).toEqual([]);
  });
});
