/** What every page shares: element lookup, and the way back to the sign-in form when the session ends. */

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

export function showSignIn(error = ''): void {
  $('app').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = error;
  $<HTMLInputElement>('sign-in-user').focus();
}

/** A call answered 401: the sign-in expired or was revoked. */
export function signedOut(): void {
  showSignIn('Your session ended: sign in again.');
}
