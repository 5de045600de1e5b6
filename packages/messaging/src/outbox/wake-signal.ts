/** A wake-up that is not lost when it fires while nobody waits: the next wait returns at once. */
export class WakeSignal {
  private pending = false;
  private waiter: (() => void) | undefined;

  fire(): void {
    this.pending = true;
    this.waiter?.();
  }

  /** Forgets wake-ups that came before the work about to start, which will see their cause anyway. */
  clear(): void {
    this.pending = false;
  }

  /** Resolves on the next (or a pending) wake-up, or after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<void> {
    if (!this.pending) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        this.waiter = done;
      });
    }
    this.pending = false;
  }
}
