import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { SubjectNames } from '../subject-names';

/** How long each stream keeps messages, and how many servers hold a copy. */
export interface StreamLimits {
  /** Default 7 days. */
  readonly eventsMaxAgeMs?: number;
  /** Commands an agent has not collected within this time are dropped (default 7 days). */
  readonly commandsMaxAgeMs?: number;
  /** Default 30 days. */
  readonly deadLettersMaxAgeMs?: number;
  /** Window in which a repeated message id is dropped (default 2 minutes; at least that). */
  readonly duplicateWindowMs?: number;
  /** Default 1; use 3 on a NATS cluster. */
  readonly replicas?: number;
}

const DAY_MS = 24 * 60 * 60 * 1_000;
const MIN_DUPLICATE_WINDOW_MS = 2 * 60 * 1_000;
/** JetStream API error: a stream of that name exists with another configuration. */
const STREAM_NAME_IN_USE = 10058;
/** What a create racing another replica's create of the same stream may get instead of "name in use". */
const STREAM_SUBJECT_OVERLAP = 10065;

export type StreamDefinition = Partial<StreamConfig> & Pick<StreamConfig, 'name' | 'subjects'>;

export function streamDefinitions(names: SubjectNames, limits: StreamLimits = {}): StreamDefinition[] {
  const duplicateWindowMs = limits.duplicateWindowMs ?? MIN_DUPLICATE_WINDOW_MS;
  if (duplicateWindowMs < MIN_DUPLICATE_WINDOW_MS) {
    throw new Error(
      `duplicateWindowMs must be at least ${MIN_DUPLICATE_WINDOW_MS}, got ${duplicateWindowMs}`,
    );
  }
  const common = {
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: limits.replicas ?? 1,
    duplicate_window: nanos(duplicateWindowMs),
  };
  return [
    {
      ...common,
      name: names.stream('EVENTS'),
      subjects: [names.allEvents()],
      retention: RetentionPolicy.Limits,
      max_age: nanos(limits.eventsMaxAgeMs ?? 7 * DAY_MS),
    },
    {
      ...common,
      name: names.stream('AGENT_COMMANDS'),
      subjects: [names.allAgentCommands()],
      // Each command is removed once its node's consumer acknowledges it.
      retention: RetentionPolicy.Workqueue,
      max_age: nanos(limits.commandsMaxAgeMs ?? 7 * DAY_MS),
    },
    {
      ...common,
      name: names.stream('DEADLETTER'),
      subjects: [names.allDeadLetters()],
      retention: RetentionPolicy.Limits,
      max_age: nanos(limits.deadLettersMaxAgeMs ?? 30 * DAY_MS),
    },
  ];
}

/**
 * Creates each stream, or updates it when it exists with another configuration. Creating a stream
 * that exists identically succeeds, so replicas starting together all succeed.
 */
export async function provisionStreams(manager: JetStreamManager, definitions: readonly StreamDefinition[]) {
  for (const definition of definitions) {
    try {
      await manager.streams.add(definition);
    } catch (error) {
      if (!(await existsAlready(manager, definition.name, error))) {
        throw new Error(`cannot create stream ${definition.name}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      try {
        await manager.streams.update(definition.name, definition);
      } catch (updateError) {
        throw new Error(
          `stream ${definition.name} exists with another configuration that cannot be changed to the wanted one ` +
            `(${(updateError as Error).message}); change it by hand or delete the stream`,
          { cause: updateError },
        );
      }
    }
  }
}

/** Whether a failed create means the stream exists: by name, or created meanwhile by another replica. */
async function existsAlready(manager: JetStreamManager, name: string, error: unknown): Promise<boolean> {
  if (!(error instanceof JetStreamApiError)) return false;
  if (error.code === STREAM_NAME_IN_USE) return true;
  if (error.code !== STREAM_SUBJECT_OVERLAP) return false;
  try {
    await manager.streams.info(name);
    return true;
  } catch {
    return false;
  }
}
