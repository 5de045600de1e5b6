#!/usr/bin/env node
import { buildCliProgram } from './cli/cli-program';
import { runSims } from './cli/run-sims';

buildCliProgram(runSims, process.env)
  .parseAsync(process.argv)
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`envoy-sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
