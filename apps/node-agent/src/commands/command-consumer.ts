import type { AgentCommand, Delivery, EventBus, Subscription } from '@envoy-fleet/messaging';
import type { Logger } from '@envoy-fleet/telemetry';
import type { AgentCommandResult } from '@envoy-fleet/domain';
import type { ReportEnvelope, ReportOutbox } from '../reports/report-outbox';
import type { CommandExecutor } from './command-executor';

/** Attempts at a command while the Docker engine is unreachable, before its failure is reported. */
export const COMMAND_MAX_DELIVER = 5;
/** Longer than the slowest command (a pull, or a stop with a long grace) so none is handed out twice. */
export const COMMAND_ACK_WAIT_MS = 10 * 60_000;
/** Results remembered to answer a redelivered command without doing it again. */
const REMEMBERED_RESULTS = 1_000;

interface Answer {
  readonly result: AgentCommandResult;
  readonly envelope: ReportEnvelope;
}

/**
 * Takes this node's commands from its durable JetStream subject, one at a time and in order, and answers
 * each with an `agent.command.completed` report whose id is the command's id.
 */
export class CommandConsumer {
  private readonly completed = new Map<string, Answer>();

  constructor(
    private readonly nodeId: string,
    private readonly executor: CommandExecutor,
    private readonly reports: ReportOutbox,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the consumer is attached (it waits for NATS, which may be down at start). */
  consume(bus: EventBus): Promise<Subscription> {
    return bus.consumeCommands(this.nodeId, (command, delivery) => this.handle(command, delivery), {
      maxDeliver: COMMAND_MAX_DELIVER,
      ackWaitMs: COMMAND_ACK_WAIT_MS,
    });
  }

  private async handle(command: AgentCommand, delivery: Delivery): Promise<void> {
    const remembered = this.completed.get(command.id);
    if (remembered !== undefined) {
      this.logger.info(
        { commandId: command.id, kind: command.kind },
        'command delivered again: answering with its result',
      );
      this.reports.durable('agent.command.completed', remembered.result, remembered.envelope);
      return;
    }
    const execution = await this.executor.execute(command);
    const { result } = execution;
    if (execution.retryable && delivery.attempt < COMMAND_MAX_DELIVER) {
      throw new Error(result.ok ? 'retry' : result.error.message);
    }
    const answer: Answer = {
      result,
      envelope: { id: command.id, tenantId: execution.tenantId, aggregateId: this.nodeId },
    };
    this.remember(command.id, answer);
    this.reports.durable('agent.command.completed', answer.result, answer.envelope);
    this.logger.info(
      {
        commandId: command.id,
        kind: command.kind,
        proxyId: result.proxyId,
        ok: result.ok,
        ...(result.ok ? { changed: result.changed } : { error: result.error }),
      },
      result.ok ? 'command done' : 'command failed',
    );
  }

  private remember(commandId: string, answer: Answer): void {
    this.completed.set(commandId, answer);
    if (this.completed.size > REMEMBERED_RESULTS) {
      const oldest = this.completed.keys().next().value;
      if (oldest !== undefined) this.completed.delete(oldest);
    }
  }
}
