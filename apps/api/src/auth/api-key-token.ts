import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PREFIX = 'efk_';
const PREFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PREFIX_LENGTH = 12;
const GENERATED_TOKEN = /^efk_([A-Za-z0-9]{12})_[A-Za-z0-9_-]{43}$/;

export interface GeneratedApiKey {
  /** Shown to the caller once, never stored. */
  readonly token: string;
  readonly prefix: string;
  readonly hash: string;
}

/**
 * `efk_<12 letters or digits>_<256 random bits>`: the public prefix finds the row, the SHA-256 of the
 * whole token is what is stored. A fast hash is enough for 256 bits of entropy (no dictionary to try).
 */
export function generateApiKey(): GeneratedApiKey {
  const prefixBytes = randomBytes(PREFIX_LENGTH);
  const lookup = Array.from(prefixBytes, (byte) => PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length]).join('');
  const token = `${TOKEN_PREFIX}${lookup}_${randomBytes(32).toString('base64url')}`;
  return { token, prefix: lookupPrefixOf(token), hash: hashApiKey(token) };
}

/**
 * The prefix stored with a key, derived from the token alone: the embedded prefix of generated keys,
 * a digest for operator-chosen ones (`FLEET_BOOTSTRAP_TOKEN`), which have no prefix of their own.
 */
export function lookupPrefixOf(token: string): string {
  const generated = GENERATED_TOKEN.exec(token);
  if (generated?.[1] !== undefined) return `${TOKEN_PREFIX}${generated[1]}`;
  return `efb_${createHash('sha256').update(`prefix:${token}`).digest('hex').slice(0, 24)}`;
}

export function hashApiKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison of the token's hash with the stored one. */
export function apiKeyMatches(token: string, storedHash: string): boolean {
  const actual = Buffer.from(hashApiKey(token), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
