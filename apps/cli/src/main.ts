#!/usr/bin/env node
import { bootstrap } from './bootstrap';

bootstrap(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `envoy-fleet: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : 'unknown'}\n`,
    );
    process.exitCode = 1;
  },
);
