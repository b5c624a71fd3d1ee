/**
 * POST /users (registration), GET /users/{id} (through the container's user cache) and POST /login.
 */
import { randomUUID } from 'node:crypto';
import { businessMetrics, getLogger } from 'lookout';
import { hourOf, normalizeEmail } from '../orders-core/store.js';
import type { User } from '../orders-core/user.js';
import { segmentOf } from '../orders-core/user.js';
import { bestEffort } from './best-effort.js';
import type { Dependencies, RouteHandler } from './dependencies.js';
import { HttpError, json, parseJsonBody, validate } from './http.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { idParam, loginBody, registerUserBody } from './schemas.js';

/** Compared against when the email is unknown, so that a login takes as long either way. */
let unknownUserHash: Promise<string> | undefined;
const hashForUnknownUser = () => (unknownUserHash ??= hashPassword(randomUUID()));

export const publicUser = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  createdAt: user.createdAt,
  segment: segmentOf(user),
  orderCount: user.orderCount,
  lifetimeSpend: user.lifetimeSpend,
});

/** The user, from the cache when fresh, else from the table (and then cached). */
export async function findUser(id: string, deps: Dependencies): Promise<User | undefined> {
  const cached = deps.userCache.get(id);
  if (cached) return cached;
  const user = await deps.store.getUser(id);
  if (user) deps.userCache.set(user);
  return user;
}

export const registerUser: RouteHandler = async (request, deps) => {
  const input = parseJsonBody(request, registerUserBody);
  const now = deps.now();
  const user: User = {
    id: randomUUID(),
    email: normalizeEmail(input.email),
    name: input.name,
    createdAt: now.toISOString(),
    orderCount: 0,
    lifetimeSpend: 0,
  };
  const outcome = await deps.store.registerUser(user, await hashPassword(input.password));
  if (outcome === 'email_taken') {
    throw new HttpError(409, 'email_taken', 'A user with this email already exists');
  }
  deps.userCache.set(user);
  businessMetrics.count('UserRegistrations');
  await bestEffort(
    'record the active user',
    deps.store.recordActiveUser(hourOf(now), segmentOf(user), user.id),
  );
  getLogger().info('User registered', { user_id: user.id });
  return json(201, publicUser(user), { location: `/users/${user.id}` });
};

export const getUser: RouteHandler = async (request, deps) => {
  const { id } = validate(idParam, request.params, 'path');
  const user = await findUser(id, deps);
  if (!user) throw new HttpError(404, 'user_not_found', 'No user with this id');
  return json(200, publicUser(user));
};

export const login: RouteHandler = async (request, deps) => {
  const input = parseJsonBody(request, loginBody);
  const credential = await deps.store.getCredential(input.email);
  const valid = await verifyPassword(
    input.password,
    credential?.passwordHash ?? (await hashForUnknownUser()),
  );
  const user = credential && valid ? await findUser(credential.userId, deps) : undefined;
  if (!user) {
    businessMetrics.count('Logins', { status: 'failure' });
    getLogger().warn('Login failed', { reason: credential ? 'wrong_password' : 'unknown_email' });
    throw new HttpError(401, 'invalid_credentials', 'Email or password is incorrect');
  }
  businessMetrics.count('Logins', { status: 'success' });
  await bestEffort(
    'record the active user',
    deps.store.recordActiveUser(hourOf(deps.now()), segmentOf(user), user.id),
  );
  getLogger().info('User logged in', { user_id: user.id });
  return json(200, { user: publicUser(user) });
};
