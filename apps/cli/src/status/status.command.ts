import type { Command } from 'commander';
import { ApiClient } from '../api-client';
import type { CliContext } from '../cli-context';
import { EXIT_NOT_READY } from '../exit-codes';
import { statusReport } from './status-report';

export function registerStatusCommand(program: Command, context: CliContext): void {
  program
    .command('status')
    .description("show the API's liveness and readiness with each dependency; exits 1 when it is not ready")
    .action(async () => {
      const client = new ApiClient(context.config());
      const [liveness, readiness] = await Promise.all([client.get('/healthz'), client.get('/readyz')]);
      const report = statusReport(client.baseUrl, liveness, readiness);
      context.io.stdout(`${report.text}\n`);
      if (!report.ready) context.setExitCode(EXIT_NOT_READY);
    });
}
