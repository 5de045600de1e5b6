import { isEventType, type DomainEvent } from '@envoy-fleet/domain';
import type { AgentCommand, DeadLetter } from './event-bus';

/** A message body that is not what its subject promises; it is dead-lettered without retries. */
export class MessageDecodeError extends Error {
  override readonly name = 'MessageDecodeError';
}

type JsonRecord = Record<string, unknown>;

export function encodeMessage(message: DomainEvent | AgentCommand | DeadLetter): string {
  return JSON.stringify(message);
}

export function decodeEvent(body: string): DomainEvent {
  const value = parseObject(body, 'domain event');
  const type = value.type;
  if (typeof type !== 'string' || !isEventType(type)) {
    throw new MessageDecodeError(`domain event has an unknown type ${JSON.stringify(type)}`);
  }
  requireStrings(value, 'domain event', ['id', 'aggregateId', 'occurredAt']);
  if (typeof value.schemaVersion !== 'number') throw fieldError('domain event', 'schemaVersion', 'a number');
  if (value.tenantId !== null && typeof value.tenantId !== 'string') {
    throw fieldError('domain event', 'tenantId', 'a string or null');
  }
  if (!isRecord(value.payload)) throw fieldError('domain event', 'payload', 'an object');
  return value as unknown as DomainEvent;
}

export function decodeAgentCommand(body: string): AgentCommand {
  const value = parseObject(body, 'agent command');
  requireStrings(value, 'agent command', ['id', 'nodeId', 'kind', 'issuedAt']);
  if (!('payload' in value)) throw fieldError('agent command', 'payload', 'present');
  return value as unknown as AgentCommand;
}

export function decodeDeadLetter(body: string): DeadLetter {
  const value = parseObject(body, 'dead letter');
  requireStrings(value, 'dead letter', ['subject', 'consumer', 'error', 'failedAt', 'body']);
  if (typeof value.deliveries !== 'number') throw fieldError('dead letter', 'deliveries', 'a number');
  return value as unknown as DeadLetter;
}

function parseObject(body: string, what: string): JsonRecord {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new MessageDecodeError(`${what} is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value)) throw new MessageDecodeError(`${what} is not a JSON object`);
  return value;
}

function requireStrings(value: JsonRecord, what: string, fields: readonly string[]): void {
  for (const field of fields) {
    if (typeof value[field] !== 'string') throw fieldError(what, field, 'a string');
  }
}

function fieldError(what: string, field: string, expected: string): MessageDecodeError {
  return new MessageDecodeError(`${what} field "${field}" must be ${expected}`);
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
