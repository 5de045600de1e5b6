import type { CliConfig } from './config';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** What every command gets: where to write, the resolved configuration, and how to set the exit code. */
export interface CliContext {
  readonly io: CliIo;
  config(): CliConfig;
  setExitCode(code: number): void;
}
