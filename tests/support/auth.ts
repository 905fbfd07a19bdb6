import { ensureOwnerToken } from '../../src/auth/index.js';

/**
 * THE way a test authenticates to a recpipe server it started on `home` (every route but
 * GET /api/v1/health and /endpoints/:name/ping needs a credential since issue 9). The home's owner
 * token acts as the built-in administrator, as the recpipe CLI on that home does.
 *
 *   app.inject({ method: 'POST', url, payload, headers: authHeaders(home) })
 *   fetch(url, { headers: { ...authHeaders(home), 'content-type': 'application/json' } })
 *   HttpSqlClient.open(server.url, {}, ownerKey(home)); new HttpControlClient(server.url, ownerKey(home))
 *
 * A CLI child process started with --home finds the token itself; give it nothing.
 */
export function ownerKey(home: string): string {
  return ensureOwnerToken(home);
}

export function authHeaders(home: string): { authorization: string } {
  return { authorization: `Bearer ${ownerKey(home)}` };
}
