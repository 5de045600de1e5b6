import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ApiRequestError, ApiUnreachableError } from './api-client';
import type { CliContext, CliIo } from './cli-context';
import { CliUsageError, DEFAULT_API_URL, resolveConfig } from './config';
import { EXIT_REQUEST_FAILED, EXIT_UNREACHABLE, EXIT_USAGE } from './exit-codes';
import { registerLogsCommand, registerMetricsCommand } from './proxies/proxy-diagnostics.commands';
import { registerStatusCommand } from './status/status.command';

export interface CliEnvironment extends CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Runs `envoy-fleet <argv...>` and resolves to the process exit code. */
export async function bootstrap(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  let exitCode = 0;
  const program = new Command('envoy-fleet')
    .description('Command line of envoy-fleet, the control plane for fleets of Envoy proxies')
    .version(packageVersion(), '-v, --version')
    .addOption(
      new Option(
        '--api-url <url>',
        `base URL of the envoy-fleet API (env ENVOY_FLEET_API_URL, default ${DEFAULT_API_URL})`,
      ),
    )
    .addOption(new Option('--token <token>', 'API token (env ENVOY_FLEET_TOKEN)'))
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 the API is not ready, 2 wrong usage, 3 the API is unreachable,\n' +
        '4 the API refused or could not carry out the request.',
    )
    .exitOverride()
    .configureOutput({ writeOut: environment.stdout, writeErr: environment.stderr });
  const context: CliContext = {
    io: environment,
    config: () => resolveConfig(program.opts<{ apiUrl?: string; token?: string }>(), environment.env),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  registerStatusCommand(program, context);
  registerLogsCommand(program, context);
  registerMetricsCommand(program, context);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof ApiUnreachableError) {
      environment.stderr(
        `envoy-fleet: ${error.message}\n` +
          'Is the API running? Start the product with `npm start`, or point the CLI at it with --api-url or ENVOY_FLEET_API_URL.\n',
      );
      return EXIT_UNREACHABLE;
    }
    if (error instanceof ApiRequestError) {
      environment.stderr(`envoy-fleet: ${error.message}\n`);
      return EXIT_REQUEST_FAILED;
    }
    if (error instanceof CliUsageError) {
      environment.stderr(`envoy-fleet: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
