export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** A person in one tenant. JWTs carry the user id and tenant id; a person in two tenants has two users. */
export interface User {
  readonly id: string;
  readonly tenantId: string;
  /** Lowercase; unique within the tenant. */
  readonly email: string;
  readonly displayName: string;
  readonly status: UserStatus;
  readonly lastLoginAt: Date | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
