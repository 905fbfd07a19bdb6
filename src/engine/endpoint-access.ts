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

  /**
   * Checks a deploy by `role` to `name` and, for a new endpoint, records `role` as its owner. SQL
   * functions cannot wait, so the record is written in the background (a failure is a warning).
   */
  deploying(role: string, name: string): void {
    this.requireOwner(role, name, 'a deploy');
    if (this.access.ownerOf(endpointObject(name)) !== null) return;
    this.access
      .recordOwnership(endpointObject(name), this.exists(name) ? UNRECORDED_OWNER : role)
      .catch((e: Error) => process.emitWarning(`owner of endpoint ${name} not recorded: ${e.message}`, 'RecpipeAccessWarning'));
  }

  /** An endpoint deleted takes its grants with it. */
  deleted(name: string): Promise<void> {
    return this.access.objectDropped(endpointObject(name));
  }
}
