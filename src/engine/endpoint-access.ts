import { RecpipeError } from '../core/index.js';
import type { AccessControl, SecurableObject } from '../access/index.js';
import type { EndpointManager } from '../endpoints/index.js';

/** Endpoints deployed before recpipe recorded owners belong to SYSADMIN, the guide's role. */
const UNRECORDED_OWNER = 'SYSADMIN';

export const endpointObject = (name: string): SecurableObject => ({ kind: 'ENDPOINT', name });

/**
 * Endpoints have an owner role, as Snowflake's objects do: the role that first deployed to the name.
 * Deploying a new model to an existing endpoint, or deleting it, is its owner's (or a role that
 * inherits the owner, such as ACCOUNTADMIN over SYSADMIN); GRANT OWNERSHIP ON ENDPOINT moves it.
 */
export class EndpointAccess {
  constructor(
    private readonly access: AccessControl,
    private readonly endpoints: EndpointManager,
  ) {}

  owner(name: string): string {
    return this.access.ownerOf(endpointObject(name)) ?? UNRECORDED_OWNER;
  }

  private exists(name: string): boolean {
    return this.access.ownerOf(endpointObject(name)) !== null || this.endpoints.list().some((e) => e.name === name);
  }

  /** Whether `role` may see the endpoint in lists and descriptions: it owns it, or holds a privilege on it. */
  canSee(role: string, name: string): boolean {
    return this.access.roleHasAny(role, [this.owner(name)]) || this.access.privilegesOn(role, endpointObject(name)).size > 0;
  }

  /** Throws unless `role` may change or delete endpoint `name` (anyone may deploy to a new name). */
  requireOwner(role: string, name: string, action: string): void {
    if (!this.exists(name)) return;
    const owner = this.owner(name);
    if (!this.access.roleHasAny(role, [owner]))
      throw new RecpipeError(
        'PERMISSION_DENIED',
        `SQL access control error: Insufficient privileges to operate on endpoint '${name}' (${action} needs its owner role ${owner}; current role ${role})`,
      );
  }

  /** Owner records still being written (see `deploying`). */
  private readonly pending = new Set<Promise<void>>();

  /**
   * Checks a deploy by `role` to `name` and, for a new endpoint, records `role` as its owner. SQL
   * functions cannot wait, so the record is written in the background (a failure is a warning) and
   * `recorded()` waits for it: the statement or request that deployed ends only once its owner is known.
   */
  deploying(role: string, name: string): void {
    this.requireOwner(role, name, 'a deploy');
    if (this.access.ownerOf(endpointObject(name)) !== null) return;
    const write = this.access
      .recordOwnership(endpointObject(name), this.exists(name) ? UNRECORDED_OWNER : role)
      .catch((e: Error) => process.emitWarning(`owner of endpoint ${name} not recorded: ${e.message}`, 'RecpipeAccessWarning'))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Resolves once every owner record begun so far is written. */
  async recorded(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** An endpoint deleted takes its grants with it. */
  deleted(name: string): Promise<void> {
    return this.access.objectDropped(endpointObject(name));
  }
}
