export const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Envoy's log line shape (`[time][level] message`) on stderr, filtered by Envoy's `--log-level` names. */
export class SimLogger {
  private readonly threshold: number;

  constructor(
    level: LogLevel,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {
    this.threshold = LOG_LEVELS.indexOf(level);
  }

  log(level: Exclude<LogLevel, 'off'>, message: string): void {
    if (LOG_LEVELS.indexOf(level) < this.threshold) return;
    this.write(`[${new Date().toISOString()}][${level}] ${message}\n`);
  }
}

export function parseLogLevel(value: string): LogLevel {
  const level = (value === 'warn' ? 'warning' : value) as LogLevel;
  if (!LOG_LEVELS.includes(level))
    throw new Error(`unknown log level "${value}": use one of ${LOG_LEVELS.join(', ')}`);
  return level;
}
