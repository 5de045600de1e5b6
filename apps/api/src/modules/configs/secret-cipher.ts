import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  canonicalJson,
  type ConfigDocument,
  type ConfigDocumentResource,
  DomainError,
  isJsonObject,
  type JsonObject,
} from '@envoy-fleet/domain';

const ALGORITHM = 'aes-256-gcm';
const FORMAT = 'v1';
export const ENCRYPTED_FIELD = '$encrypted';
export const MASKED_FIELD = '@masked';

/**
 * Envoy secrets at rest: AES-256-GCM under SECRET_ENCRYPTION_KEY, a fresh IV per body, the tenant id
 * as additional data so a ciphertext cannot be moved to another tenant. The sealed body keeps the
 * SHA-256 of the plain body, so reads can mask it (and diffs show a change) without decrypting.
 */
export class SecretCipher {
  constructor(private readonly key: Buffer | null) {}

  get available(): boolean {
    return this.key !== null;
  }

  seal(body: JsonObject, tenantId: string): JsonObject {
    const key = this.requireKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    cipher.setAAD(Buffer.from(tenantId));
    const ciphertext = Buffer.concat([cipher.update(canonicalJson(body), 'utf8'), cipher.final()]);
    const sealed = [FORMAT, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
    return { [ENCRYPTED_FIELD]: sealed, sha256: digestOf(body) };
  }

  open(sealed: JsonObject, tenantId: string): JsonObject {
    const key = this.requireKey();
    const envelope = sealed[ENCRYPTED_FIELD];
    const [format, iv, tag, ciphertext] = typeof envelope === 'string' ? envelope.split('.') : [];
    if (format !== FORMAT || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new Error('a stored secret is not in a format this api can decrypt');
    }
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(tenantId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
    const body: unknown = JSON.parse(plain);
    if (!isJsonObject(body)) throw new Error('a stored secret did not decrypt to an object');
    return body;
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
