/** Exit code of a process stopped by a second signal while it was already shutting down. */
const FORCED_EXIT_CODE = 130;

/**
 * On the first SIGTERM or SIGINT runs `stop`, then exits 0 (or 1 if stopping failed, after `onError`).
 * A second signal while stopping exits at once.
 */
export function stopOnSignals(stop: () => Promise<void>, onError: (error: unknown) => void): void {
  let stopping = false;
  const handle = (): void => {
    if (stopping) process.exit(FORCED_EXIT_CODE);
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        onError(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
