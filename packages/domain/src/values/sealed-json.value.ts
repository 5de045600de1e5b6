import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { canonicalJson } from './config-document.value';
import { isJsonObject, type JsonObject } from './json.value';

const ALGORITHM = 'aes-256-gcm';
const FORMAT = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;

/**
 * Secrets at rest, as the api stores them and the apps that use them (the webhook dispatcher) open them:
 * a JSON object sealed with AES-256-GCM under SECRET_ENCRYPTION_KEY, a fresh IV each time, the tenant id
 * as additional data so that a ciphertext cannot be moved to another tenant. The envelope is
 * `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
 */
export function sealJson(body: JsonObject, key: Buffer, tenantId: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(tenantId));
  const ciphertext = Buffer.concat([cipher.update(canonicalJson(body), 'utf8'), cipher.final()]);
  return [FORMAT, ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join(
    '.',
  );
}

/** Opens what {@link sealJson} sealed; throws when the key, the tenant or the envelope is not the one sealed. */
export function openSealedJson(envelope: string, key: Buffer, tenantId: string): JsonObject {
  assertKey(key);
  const [format, iv, tag, ciphertext, ...rest] = envelope.split('.');
  if (format !== FORMAT || iv === undefined || tag === undefined || ciphertext === undefined || rest.length) {
    throw new Error(`a sealed secret is not a ${FORMAT} envelope (v1.<iv>.<tag>.<ciphertext>)`);
  }
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(tenantId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plain = Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
  const body: unknown = JSON.parse(plain);
  if (!isJsonObject(body)) throw new Error('a sealed secret did not open to a JSON object');
  return body;
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES)
    throw new Error(`the secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
}
