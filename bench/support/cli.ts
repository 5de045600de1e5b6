/** Bad command-line input: reported by its message and the usage line, without a stack. */
export class UsageError extends Error {}

/** The benchmark's own arguments: `pnpm run <bench> -- --flag` passes the `--` on, so it is dropped. */
export function benchArguments(): string[] {
  const args = process.argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
}

/** Runs `read`, turning any error it throws into a UsageError that ends with `usage`. */
export function withUsage<T>(usage: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

export function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name}: expected a positive integer, got "${text}"`);
  }
  return value;
}

/** Runs a benchmark's `main`; a failure prints its message (a usage error) or its stack and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const text =
      error instanceof UsageError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`${text}\n`);
    process.exit(1);
  });
}
