import { lowestFreePort, type PortRange } from '@envoy-fleet/domain';

/** What one proxy reserves on its VM. */
export interface ProxyDemand {
  readonly cpuMillicores: number;
  readonly memoryMib: number;
}

/** A ready VM as the scheduler sees it, with what is already placed on it. */
export interface CandidateNode {
  readonly id: string;
  readonly hostname: string;
  /** Null counts as a zone of its own per VM: such VMs share no failure domain we know of. */
  readonly zone: string | null;
  readonly capacity: ProxyDemand;
  /** Sum of the demands of every proxy placed on the VM, of any group. */
  readonly allocated: ProxyDemand;
  /** Proxies of the group being scaled already on the VM. */
  readonly groupProxies: number;
  readonly proxyPortRange: PortRange;
  readonly adminPortRange: PortRange;
  /** Every port a proxy on the VM holds, proxy or admin. */
  readonly takenPorts: ReadonlySet<number>;
}

export interface PlacementPlan {
  /** The VM of each new proxy, in order of placement. */
  readonly nodeIds: readonly string[];
  /** Proxies no VM had room for. */
  readonly unplaced: number;
}

interface NodeState {
  readonly node: CandidateNode;
  cpu: number;
  memory: number;
  groupProxies: number;
  freeProxyPorts: number;
  freeAdminPorts: number;
}

/**
 * Places `count` new proxies of one group [seed 000 5.1]: each goes to the VM that fits it whose zone
 * holds the fewest proxies of the group, then the VM holding the fewest of them, then the VM with room
 * for the most further proxies (free capacity), then by hostname so the plan is deterministic.
 */
export function planPlacement(
  nodes: readonly CandidateNode[],
  count: number,
  demand: ProxyDemand,
): PlacementPlan {
  const states: NodeState[] = nodes.map((node) => ({
    node,
    cpu: node.capacity.cpuMillicores - node.allocated.cpuMillicores,
    memory: node.capacity.memoryMib - node.allocated.memoryMib,
    groupProxies: node.groupProxies,
    freeProxyPorts: freePortCount(node.proxyPortRange, node.takenPorts),
    freeAdminPorts: freePortCount(node.adminPortRange, node.takenPorts),
  }));
  const zoneLoad = new Map<string, number>();
  for (const state of states) {
    const zone = zoneKey(state.node);
    zoneLoad.set(zone, (zoneLoad.get(zone) ?? 0) + state.groupProxies);
  }

  const nodeIds: string[] = [];
  for (let placed = 0; placed < count; placed += 1) {
    const fitting = states.filter((state) => slots(state, demand) > 0);
    if (fitting.length === 0) return { nodeIds, unplaced: count - placed };
    fitting.sort(
      (a, b) =>
        (zoneLoad.get(zoneKey(a.node)) ?? 0) - (zoneLoad.get(zoneKey(b.node)) ?? 0) ||
        a.groupProxies - b.groupProxies ||
        slots(b, demand) - slots(a, demand) ||
        a.node.hostname.localeCompare(b.node.hostname) ||
        a.node.id.localeCompare(b.node.id),
    );
    const chosen = fitting[0] as NodeState;
    chosen.cpu -= demand.cpuMillicores;
    chosen.memory -= demand.memoryMib;
    chosen.groupProxies += 1;
    chosen.freeProxyPorts -= 1;
    chosen.freeAdminPorts -= 1;
    const zone = zoneKey(chosen.node);
    zoneLoad.set(zone, (zoneLoad.get(zone) ?? 0) + 1);
    nodeIds.push(chosen.node.id);
  }
  return { nodeIds, unplaced: 0 };
}

/** How many more proxies of `demand` the VM has room (capacity and ports) for. */
function slots(state: NodeState, demand: ProxyDemand): number {
  const byCpu = demand.cpuMillicores > 0 ? Math.floor(state.cpu / demand.cpuMillicores) : Infinity;
  const byMemory = demand.memoryMib > 0 ? Math.floor(state.memory / demand.memoryMib) : Infinity;
  return Math.max(0, Math.min(byCpu, byMemory, state.freeProxyPorts, state.freeAdminPorts));
}

function zoneKey(node: CandidateNode): string {
  return node.zone === null ? `node:${node.id}` : `zone:${node.zone}`;
}

function freePortCount(range: PortRange, taken: ReadonlySet<number>): number {
  let free = range.end - range.start + 1;
  for (const port of taken) if (port >= range.start && port <= range.end) free -= 1;
  return free;
}

export interface PortPair {
  readonly proxyPort: number;
  readonly adminPort: number;
}

/**
 * The lowest free proxy port and admin port of a VM [seed 000 3.2.3], or null when either range is
 * exhausted. `taken` holds every port of the VM's proxies; the chosen ports are added to it.
 */
export function allocatePorts(
  ranges: { readonly proxyPortRange: PortRange; readonly adminPortRange: PortRange },
  taken: Set<number>,
): PortPair | null {
  const proxyPort = lowestFreePort(ranges.proxyPortRange, taken);
  if (proxyPort === null) return null;
  const adminPort = lowestFreePort(ranges.adminPortRange, new Set([...taken, proxyPort]));
  if (adminPort === null) return null;
  taken.add(proxyPort);
  taken.add(adminPort);
  return { proxyPort, adminPort };
}

/** The `count` lowest instance numbers (from 1) that no proxy of the group uses. */
export function nextOrdinals(used: ReadonlySet<number>, count: number): number[] {
  const ordinals: number[] = [];
  for (let ordinal = 1; ordinals.length < count; ordinal += 1) {
    if (!used.has(ordinal)) ordinals.push(ordinal);
  }
  return ordinals;
}

export interface RunningProxy {
  readonly id: string;
  readonly ordinal: number;
  readonly createdAt: Date;
}

/** Scale down removes the newest proxies first (latest created, then highest instance number). */
export function chooseProxiesToRemove<T extends RunningProxy>(proxies: readonly T[], count: number): T[] {
  return [...proxies]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.ordinal - a.ordinal)
    .slice(0, Math.max(0, count));
}
