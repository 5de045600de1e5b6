import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { NodeHeartbeat } from '@envoy-fleet/domain';

const MIB = 1024 * 1024;

/** The agent's version, from its package.json (`src/registration` and `dist/registration` alike). */
export const AGENT_VERSION = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** Non-internal addresses of the VM, IPv4 first. */
export function hostAddresses(): string[] {
  const addresses = Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => !entry.internal && !(entry.family === 'IPv6' && entry.address.startsWith('fe80:')));
  return [
    ...addresses.filter((entry) => entry.family === 'IPv4'),
    ...addresses.filter((entry) => entry.family === 'IPv6'),
  ].map((entry) => entry.address);
}

export function hostCapacity(): { cpuMillicores: number; memoryMib: number } {
  return { cpuMillicores: os.availableParallelism() * 1000, memoryMib: Math.floor(os.totalmem() / MIB) };
}

/** The VM's resource use, CPU measured between successive samples. */
export class HostSampler {
  private previous = cpuTimes();

  sample(): NodeHeartbeat['host'] {
    const current = cpuTimes();
    const busy = current.busy - this.previous.busy;
    const total = current.total - this.previous.total;
    this.previous = current;
    const cores = os.cpus().length;
    return {
      cpuMillicores: total > 0 ? Math.round((busy / total) * cores * 1000) : 0,
      memoryUsedMib: Math.round((os.totalmem() - os.freemem()) / MIB),
      memoryTotalMib: Math.floor(os.totalmem() / MIB),
      loadAverage1m: os.loadavg()[0] ?? 0,
    };
  }
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}
