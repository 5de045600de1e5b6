/** What an app's `bootstrap()` returns: where it listens, and how to stop it gracefully. */
export interface RunningApp {
  readonly url: string;
  close(): Promise<void>;
}
