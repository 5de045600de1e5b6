import {
  type AgentCommandResult,
  type AgentErrorCode,
  type ParsedAgentCommand,
  parseAgentCommand,
} from '@envoy-fleet/domain';
import type { AgentCommand } from '@envoy-fleet/messaging';
import type { Clock } from '../agent/clock';
import {
  CommandFailure,
  type ContainerOperations,
  type OperationOutcome,
} from '../containers/container-operations';
import { specFromLabels } from '../containers/container-labels';
import { EngineError, type EngineErrorKind } from '../docker/container-engine';
import type { LogStreamer } from '../logs/log-streamer';

/** A command's result, and whether to try again (the Docker engine was unreachable). */
export interface Execution {
  readonly result: AgentCommandResult;
  /** The proxy's tenant, when known: the result event's tenant. */
  readonly tenantId: string | null;
  readonly retryable: boolean;
}

const ENGINE_ERROR_CODES: { readonly [K in EngineErrorKind]: AgentErrorCode } = {
  not_found: 'container_not_found',
  conflict: 'conflict',
  unavailable: 'docker_unavailable',
  failed: 'docker_error',
};

/** Decodes one command, carries it out, and states the result in the protocol's terms. */
export class CommandExecutor {
  constructor(
    private readonly nodeId: string,
    private readonly operations: ContainerOperations,
    private readonly logs: LogStreamer,
    private readonly clock: Clock,
  ) {}

  async execute(command: AgentCommand): Promise<Execution> {
    const parsed = parseAgentCommand(command.kind, command.payload);
    const proxyId = parsed.ok ? parsed.command.payload.proxyId : proxyIdOf(command.payload);
    const base = { commandId: command.id, nodeId: this.nodeId, kind: command.kind, proxyId };
    if (!parsed.ok) {
      return {
        result: this.failure(base, 'invalid_command', parsed.message, null),
        tenantId: null,
        retryable: false,
      };
    }
    const tenantId =
      parsed.command.kind === 'create'
        ? parsed.command.payload.tenantId
        : this.operations.tenantOf(parsed.command.payload.proxyId);
    try {
      const outcome = await this.run(command, parsed.command);
      return {
        result: { ...base, ok: true, ...outcome, completedAt: this.clock.now().toISOString() },
        tenantId,
        retryable: false,
      };
    } catch (error) {
      if (error instanceof CommandFailure) {
        return {
          result: this.failure(base, error.code, error.message, error.containerId),
          tenantId,
          retryable: false,
        };
      }
      if (error instanceof EngineError) {
        return {
          result: this.failure(base, ENGINE_ERROR_CODES[error.kind], error.message, null),
          tenantId,
          retryable: error.kind === 'unavailable',
        };
      }
      throw error;
    }
  }

  private async run(received: AgentCommand, command: ParsedAgentCommand): Promise<OperationOutcome> {
    switch (command.kind) {
      case 'create':
        return this.operations.create(command.payload);
      case 'start':
        return this.operations.start(command.payload.proxyId);
      case 'stop':
        return this.operations.stop(command.payload.proxyId, command.payload.graceSeconds);
      case 'restart':
        return this.operations.restart(
          command.payload.proxyId,
          command.payload.graceSeconds,
          instantOf(received.issuedAt),
        );
      case 'remove':
        return this.operations.remove(command.payload.proxyId, command.payload.graceSeconds);
      case 'update-image':
        return this.operations.updateImage(command.payload);
      case 'probe':
        return this.operations.probe(command.payload.proxyId, command.payload.stats);
      case 'logs': {
        const container = await this.operations.find(command.payload.proxyId);
        const spec = container === null ? null : specFromLabels(container.labels);
        if (container === null || spec === null) {
          throw new CommandFailure(
            'container_not_found',
            `no container of proxy ${command.payload.proxyId} on this node`,
          );
        }
        await this.logs.stream({
          commandId: received.id,
          nodeId: this.nodeId,
          tenantId: spec.tenantId,
          containerId: container.id,
          options: command.payload,
        });
        return { containerId: container.id, changed: false, probe: null };
      }
      case 'stop-logs':
        return { containerId: null, changed: this.logs.stop(command.payload.logsCommandId), probe: null };
    }
  }

  private failure(
    base: Pick<AgentCommandResult, 'commandId' | 'nodeId' | 'kind' | 'proxyId'>,
    code: AgentErrorCode,
    message: string,
    containerId: string | null,
  ): AgentCommandResult {
    return {
      ...base,
      ok: false,
      containerId,
      error: { code, message },
      completedAt: this.clock.now().toISOString(),
    };
  }
}

function instantOf(iso: string): Date | null {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : new Date(time);
}

function proxyIdOf(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const proxyId = (payload as { proxyId?: unknown }).proxyId;
  return typeof proxyId === 'string' ? proxyId : null;
}
