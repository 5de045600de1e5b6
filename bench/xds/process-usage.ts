import { readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ, the same on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** Resident set size now, in bytes. */
  readonly rssBytes: number;
  /** The highest resident set size so far (VmHWM), in bytes. */
  readonly peakRssBytes: number;
  /** User plus system CPU time so far, in seconds. */
  readonly cpuSeconds: number;
}

function statusKilobytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`/proc status has no ${field}`);
  return Number(match[1]) * 1024;
}

/** Parses /proc/<pid>/stat: fields 14 and 15 (utime, stime) come after the parenthesised command name. */
export function cpuSecondsOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc stat: ${stat}`);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** The memory and CPU a process (here the xds-server) has used, read from /proc. */
export function processUsage(pid: number): ProcessUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssBytes: statusKilobytes(status, 'VmRSS'),
    peakRssBytes: statusKilobytes(status, 'VmHWM'),
    cpuSeconds: cpuSecondsOf(readFileSync(`/proc/${pid}/stat`, 'utf8')),
  };
}
