import { SetMetadata } from '@nestjs/common';
import type { Role } from '@envoy-fleet/domain';

export const REQUIRED_ROLE = 'envoy-fleet:required-role';
export const PUBLIC_ROUTE = 'envoy-fleet:public-route';
export const INSTALLATION_ADMIN_ONLY = 'envoy-fleet:installation-admin-only';

/** The least role (viewer < operator < admin) a caller needs in its tenant; routes without it need admin. */
export const Requires = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);

/** An `/api/v1` route that needs no bearer token (the token exchange authenticates by itself). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** Only admins of the installation's admin tenant: operations on tenants other than the caller's. */
export const InstallationAdminOnly = (): MethodDecorator & ClassDecorator =>
  SetMetadata(INSTALLATION_ADMIN_ONLY, true);
