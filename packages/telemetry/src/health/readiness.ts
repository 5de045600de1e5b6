/** One dependency an app needs to serve: resolves when it is usable, rejects with the reason otherwise. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** A check over a component that reports its own health as `{ healthy, detail }`, such as the event bus. */
export function healthReportCheck(
  name: string,
  report: () => Promise<{ readonly healthy: boolean; readonly detail: string }>,
): ReadinessCheck {
  return {
    name,
    check: async () => {
      const { healthy, detail } = await report();
      if (!healthy) throw new Error(detail);
    },
  };
}

export type CheckResult = { readonly status: 'up' } | { readonly status: 'down'; readonly error: string };

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready' | 'shutting_down';
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/** Runs every check at once, each bounded by `timeoutMs`; ready only when all are up. */
export async function runReadinessChecks(
  checks: readonly ReadinessCheck[],
  timeoutMs: number,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (check): Promise<[string, CheckResult]> => [
      check.name,
      await runCheck(check, timeoutMs),
    ]),
  );
  const ready = results.every(([, result]) => result.status === 'up');
  return { status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) };
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
