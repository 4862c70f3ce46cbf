/**
 * Staff roles and the API scopes they stand for. A signed-in person acts through the same service
 * verbs and the same scope checks as an API client: the role only decides which scopes the actor
 * carries ({ type: 'user', id, name, scopes }).
 */
import type { Actor, Scope } from '../../context.js';

export const ROLES = ['viewer', 'clerk', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const VIEWER: Scope[] = ['items:read', 'statements:read'];
// Clerks work the review queue, import the bank's files and the finance system's open-item lists,
// gather refund runs (released by a second person with `approve`) and keep mandates.
const CLERK: Scope[] = [...VIEWER, 'review', 'statements:import', 'items:write', 'export', 'refunds', 'mandates'];
// Approvers do what clerks do and are the second pair of eyes on large bookings.
const APPROVER: Scope[] = [...CLERK, 'approve'];

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  viewer: VIEWER,
  clerk: CLERK,
  approver: APPROVER,
  admin: ['admin'],
};

export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

export function userActor(user: { id: string; displayName: string; role: string }): Actor {
  const scopes = isRole(user.role) ? ROLE_SCOPES[user.role] : [];
  return { type: 'user', id: user.id, name: user.displayName, scopes: new Set(scopes) };
}
