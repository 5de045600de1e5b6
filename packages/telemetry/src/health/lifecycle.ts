/** Whether an app has begun shutting down; probes answer 503 from that moment on. */
export class Lifecycle {
  private shuttingDown = false;

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  beginShutdown(): void {
    this.shuttingDown = true;
  }
}
