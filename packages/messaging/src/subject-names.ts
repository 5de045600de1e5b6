import { DURABLE_EVENT_SUBJECT_PREFIX, EVENT_CATALOGUE, type EventType } from '@envoy-fleet/domain';

/** Stream names: events, agent commands, dead letters. */
export type StreamKind = 'EVENTS' | 'AGENT_COMMANDS' | 'DEADLETTER';

/** A NATS subject token or stream/consumer name: no dots, wildcards, whitespace or path separators. */
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

export function assertValidName(what: string, name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(`${what} "${name}" is not valid: use letters, digits, "_" and "-" only`);
  }
}

/**
 * Every subject and stream name the bus uses. A namespace prefixes all of them, so that several
 * installations (or test suites) can share one NATS server without their streams overlapping.
 */
export class SubjectNames {
  private readonly prefix: string;

  constructor(readonly namespace?: string) {
    if (namespace !== undefined) assertValidName('namespace', namespace);
    this.prefix = namespace === undefined ? '' : `${namespace}.`;
  }

  event(type: EventType): string {
    return this.prefix + EVENT_CATALOGUE[type].subject;
  }

  /** A subject filter of the catalogue (`events.config.>`) as published under this namespace. */
  eventFilter(catalogueSubject: string): string {
    return this.prefix + catalogueSubject;
  }

  allEvents(): string {
    return `${this.prefix}${DURABLE_EVENT_SUBJECT_PREFIX}.>`;
  }

  agentCommands(nodeId: string): string {
    assertValidName('node id', nodeId);
    return `${this.prefix}agent.${nodeId}.commands`;
  }

  /** The durable consumer that holds one node's place in its command queue. */
  agentConsumer(nodeId: string): string {
    assertValidName('node id', nodeId);
    return `agent-${nodeId}`;
  }

  allAgentCommands(): string {
    return `${this.prefix}agent.*.commands`;
  }

  /** `deadletter.<original subject>`, both within the namespace. */
  deadLetter(subject: string): string {
    const original = subject.startsWith(this.prefix) ? subject.slice(this.prefix.length) : subject;
    return `${this.prefix}deadletter.${original}`;
  }

  allDeadLetters(): string {
    return `${this.prefix}deadletter.>`;
  }

  stream(kind: StreamKind): string {
    return this.namespace === undefined ? kind : `${this.namespace}_${kind}`;
  }
}

/** NATS subject matching: `*` matches one token, a trailing `>` one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const filterTokens = filter.split('.');
  const subjectTokens = subject.split('.');
  for (const [index, token] of filterTokens.entries()) {
    if (token === '>') return subjectTokens.length > index;
    const candidate = subjectTokens[index];
    if (candidate === undefined || (token !== '*' && token !== candidate)) return false;
  }
  return filterTokens.length === subjectTokens.length;
}
