import { readdir, readFile } from 'node:fs/promises';

/** Linux accounts process CPU time in clock ticks of 1/100 s (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) each process has used so far, in milliseconds, by pid. */
export type CpuSample = ReadonlyMap<number, number>;

/** Fields 14 and 15 of `/proc/<pid>/stat`, after the command name (which may hold spaces) in parentheses. */
export function cpuMsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`unexpected /proc stat line: ${stat}`);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

async function cpuMsOf(pid: number): Promise<number | undefined> {
  try {
    return cpuMsOfStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The api process and the PostgreSQL backends serving the benchmark's database (process titles
 * `postgres: <user> <database> ...`): their CPU time, to be read before and after a run.
 */
export async function sampleCpu(
  apiPid: number,
  database: string,
): Promise<{ api: CpuSample; postgres: CpuSample }> {
  const backends: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const title = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (title.startsWith('postgres: ') && title.split(' ').includes(database)) backends.push(pid);
  }
  const sample = async (pids: readonly number[]) => {
    const entries = await Promise.all(pids.map(async (pid) => [pid, await cpuMsOf(pid)] as const));
    return new Map(entries.filter((entry): entry is readonly [number, number] => entry[1] !== undefined));
  };
  return { api: await sample([apiPid]), postgres: await sample(backends) };
}

/** CPU milliseconds used between two samples: processes in both by their difference, new ones whole. */
export function cpuMsBetween(before: CpuSample, after: CpuSample): number {
  let total = 0;
  for (const [pid, used] of after) total += used - (before.get(pid) ?? 0);
  return total;
}
