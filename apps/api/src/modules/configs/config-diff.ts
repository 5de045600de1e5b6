import { compare, type Operation } from 'fast-json-patch';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { ProxyConfig } from './proxy-config';

export interface ConfigDiff {
  /** RFC 6902 operations that turn the first document into the second. */
  readonly patch: Operation[];
  /** The same change as a unified diff of the two documents in YAML. */
  readonly unified: string;
}

/**
 * RFC 6902 operations that turn one document into the other: all a write reports, and cheap next to the
 * unified diff, whose line diff of a large document (100,000 endpoints) takes seconds.
 */
export function patchBetween(from: ProxyConfig, to: ProxyConfig): Operation[] {
  return compare(from, to);
}

/** Both documents as clients see them (secrets masked), so a diff never reveals secret material. */
export function diffConfigs(
  from: { label: string; config: ProxyConfig },
  to: { label: string; config: ProxyConfig },
): ConfigDiff {
  return {
    patch: patchBetween(from.config, to.config),
    unified: createTwoFilesPatch(
      from.label,
      to.label,
      stringify(from.config),
      stringify(to.config),
      undefined,
      undefined,
      { context: 3 },
    ),
  };
}
