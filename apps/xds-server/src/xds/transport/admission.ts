/**
 * Admission control for connection storms (istio#35263, consul#15753): a replica over its stream limit
 * refuses new streams at once (RESOURCE_EXHAUSTED, so the client retries elsewhere), and only a bounded
 * number of streams do their initial push (store reads, encoding, first writes) at the same time; the
 * rest wait their turn in arrival order instead of all starving together.
 */
export class StreamLimit {
  private active = 0;

  constructor(readonly max: number) {}

  /** Takes a slot; false when the replica is full. */
  tryAcquire(): boolean {
    if (this.active >= this.max) return false;
    this.active += 1;
    return true;
  }

  release(): void {
    this.active -= 1;
  }
}

export type Release = () => void;

export class InitialPushGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly concurrency: number) {}

  /** Resolves when the caller may push; call the returned function (once) when its initial push is done. */
  async enter(): Promise<Release> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    };
  }

  get queued(): number {
    return this.waiting.length;
  }
}
