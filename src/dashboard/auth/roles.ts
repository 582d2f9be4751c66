import type { Role } from '../db/users';

/**
 * What each role may do, checked on the server for every action (the UI hides what a role cannot do,
 * but the hiding is a convenience; this table is the rule). `read` covers every merchant page;
 * `platform` is the platform admin's pages.
 */
export type Permission =
  | 'read' | 'sessions.write' | 'links.write' | 'webhooks.write' | 'keys.write' | 'settings.write' | 'users.write' | 'money.write' | 'platform';

const GRANTS: Record<Role, readonly Permission[]> = {
  // Money out (payouts, withdrawal links, refunds) is the owner's alone: it moves the account's balance.
  owner: ['read', 'sessions.write', 'links.write', 'webhooks.write', 'keys.write', 'settings.write', 'users.write', 'money.write'],
  developer: ['read', 'links.write', 'webhooks.write', 'keys.write'],
  viewer: ['read'],
  admin: ['platform'],
};

/** True when `role` grants `permission`. */
export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
