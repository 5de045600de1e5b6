import { DomainError } from '@envoy-fleet/domain';

/** A resource's ETag: its optimistic-lock version, weak because representations may vary (masked secrets). */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

const VERSION_TAG = /^(?:W\/)?"(\d{1,10})"$/;

/**
 * The version an update or delete is based on, from `If-Match`. Missing: 428, because a change that
 * names no version could silently overwrite someone else's. A tag that is no version of ours can never
 * match: 412, as RFC 9110 prescribes for a failed precondition.
 */
export function expectedVersionOf(ifMatch: string | undefined): number {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw new DomainError(
      'PRECONDITION_REQUIRED',
      'this change needs an If-Match header with the ETag of the version it is based on (read the resource first)',
    );
  }
  const match = VERSION_TAG.exec(ifMatch.trim());
  if (match?.[1] === undefined) {
    throw new DomainError(
      'PRECONDITION_FAILED',
      `If-Match ${ifMatch} matches no version: send the ETag of the resource as read, e.g. W/"3"`,
    );
  }
  return Number(match[1]);
}
