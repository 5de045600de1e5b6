import { createHash } from 'node:crypto';
import {
  canonicalJson,
  type ConfigDocument,
  type ConfigDocumentResource,
  DomainError,
  type JsonObject,
  openSealedJson,
  sealJson,
} from '@envoy-fleet/domain';

export const ENCRYPTED_FIELD = '$encrypted';
export const MASKED_FIELD = '@masked';

/**
 * Envoy secrets at rest, sealed as `@envoy-fleet/domain`'s `sealJson` does (AES-256-GCM under
 * SECRET_ENCRYPTION_KEY, the tenant id as additional data), which the webhook dispatcher opens too. The
 * sealed body keeps the SHA-256 of the plain body, so reads can mask it (and diffs show a change) without
 * decrypting.
 */
export class SecretCipher {
  constructor(private readonly key: Buffer | null) {}

  get available(): boolean {
    return this.key !== null;
  }

  seal(body: JsonObject, tenantId: string): JsonObject {
    return { [ENCRYPTED_FIELD]: sealJson(body, this.requireKey(), tenantId), sha256: digestOf(body) };
  }

  open(sealed: JsonObject, tenantId: string): JsonObject {
    const key = this.requireKey();
    const envelope = sealed[ENCRYPTED_FIELD];
    if (typeof envelope !== 'string') throw new Error('a stored secret holds no sealed envelope');
    return openSealedJson(envelope, key, tenantId);
  }

  private requireKey(): Buffer {
    if (this.key === null) {
      throw new DomainError(
        'INVALID_STATE',
        'Envoy secrets cannot be stored or read: SECRET_ENCRYPTION_KEY is not set on the api',
      );
    }
    return this.key;
  }
}

function digestOf(body: JsonObject): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function mapSecrets(
  document: ConfigDocument,
  map: (resource: ConfigDocumentResource) => JsonObject,
): ConfigDocument {
  return {
    resources: {
      ...document.resources,
      secret: document.resources.secret.map((resource) => ({ ...resource, body: map(resource) })),
    },
  };
}

export function sealDocument(
  document: ConfigDocument,
  cipher: SecretCipher,
  tenantId: string,
): ConfigDocument {
  return mapSecrets(document, (resource) => cipher.seal(resource.body, tenantId));
}

export function openDocument(
  document: ConfigDocument,
  cipher: SecretCipher,
  tenantId: string,
): ConfigDocument {
  return document.resources.secret.length === 0
    ? document
    : mapSecrets(document, (resource) => cipher.open(resource.body, tenantId));
}

/** Secrets as clients see them after creation: the name and a digest of the content, nothing else. */
export function maskDocument(sealed: ConfigDocument): ConfigDocument {
  return mapSecrets(sealed, (resource) => {
    const digest = resource.body['sha256'];
    return {
      name: resource.name,
      [MASKED_FIELD]: `sha256:${typeof digest === 'string' ? digest : 'unknown'}`,
    };
  });
}
