import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AgentCommandResult, LogChunk } from '@envoy-fleet/domain';
import type { EventBus, Subscription } from '@envoy-fleet/messaging';
import { API_SETTINGS, EVENT_BUS } from '../../api.tokens';
import type { ApiSettings } from '../../api-settings';

/**
 * What node agents answer to the commands this replica sent: each `agent.command.completed` (its own
 * consumer group per replica, `api-agent-replies-<API_INSTANCE_ID>`, so every replica sees every
 * result) and each `agent.logs` chunk, handed to whoever waits for that command id.
 */
@Injectable()
export class AgentReplies implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly resultWaiters = new Map<string, (result: AgentCommandResult) => void>();
  private readonly logReaders = new Map<string, (chunk: LogChunk) => void>();
  private readonly subscriptions: Subscription[] = [];

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(API_SETTINGS) private readonly settings: ApiSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriptions.push(
      await this.bus.consume({
        types: ['agent.command.completed'],
        durable: `api-agent-replies-${this.settings.instanceId}`,
        handler: (event) => {
          this.resultWaiters.get(event.payload.commandId)?.(event.payload);
          return Promise.resolve();
        },
      }),
      await this.bus.subscribe('agent.logs', (event) => {
        this.logReaders.get(event.payload.commandId)?.(event.payload);
        return Promise.resolve();
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
  }

  /** Hands the result of command `commandId` to `waiter`, once; returns the function that stops waiting. */
  onResult(commandId: string, waiter: (result: AgentCommandResult) => void): () => void {
    this.resultWaiters.set(commandId, (result) => {
      this.resultWaiters.delete(commandId);
      waiter(result);
    });
    return () => this.resultWaiters.delete(commandId);
  }

  /** Hands every log chunk of command `commandId` to `reader`; returns the function that stops it. */
  onLogs(commandId: string, reader: (chunk: LogChunk) => void): () => void {
    this.logReaders.set(commandId, reader);
    return () => this.logReaders.delete(commandId);
  }
}
