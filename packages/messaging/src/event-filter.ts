import { DURABLE_EVENT_SUBJECT_PREFIX, EVENT_CATALOGUE, type EventType } from '@envoy-fleet/domain';
import type { EventFilter } from './event-bus';
import { subjectMatches, type SubjectNames } from './subject-names';

/** A consumer group's filter as subjects for the broker and as a test on each decoded event. */
export interface ResolvedEventFilter {
  /** Namespaced subject filters, one per listed type, or the one wildcard filter given. */
  readonly subjects: readonly string[];
  readonly accepts: (type: EventType) => boolean;
}

export function resolveEventFilter<T extends EventType>(
  names: SubjectNames,
  filter: EventFilter<T>,
): ResolvedEventFilter {
  if (filter.types !== undefined) {
    if (filter.types.length === 0) throw new Error('a consumer needs at least one event type');
    for (const type of filter.types) {
      if (!Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, type))
        throw new Error(`unknown event type "${type}"`);
      if (EVENT_CATALOGUE[type].delivery !== 'durable') {
        throw new Error(
          `"${type}" is a broadcast event: receive it with subscribe(), not a durable consumer`,
        );
      }
    }
    const types = new Set<EventType>(filter.types);
    return { subjects: [...types].map((type) => names.event(type)), accepts: (type) => types.has(type) };
  }
  const { subject } = filter;
  if (!subject.startsWith(`${DURABLE_EVENT_SUBJECT_PREFIX}.`)) {
    throw new Error(
      `subject filter "${subject}" must select durable events, under "${DURABLE_EVENT_SUBJECT_PREFIX}."`,
    );
  }
  return {
    subjects: [names.eventFilter(subject)],
    accepts: (type) => subjectMatches(subject, EVENT_CATALOGUE[type].subject),
  };
}
