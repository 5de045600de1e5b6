/**
 * A machine credential. The secret is shown once at creation; only its hash is stored. `prefix` is
 * the public, unique start of the key used to find the row before the hash is compared.
 */
export interface ApiKey {
  readonly id: string;
  readonly tenantId: string;
  /** The user who created the key; null once that user is deleted. */
  readonly createdByUserId: string | null;
  readonly name: string;
  readonly prefix: string;
  readonly keyHash: string;
  /** Narrows what the key's role allows, such as `configs:write`; empty means the role's full rights. */
  readonly scopes: readonly string[];
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function isApiKeyUsable(key: Pick<ApiKey, 'expiresAt' | 'revokedAt'>, now: Date): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt.getTime() > now.getTime());
}
