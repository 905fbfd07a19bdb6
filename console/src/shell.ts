import { ApiError } from './api.js';

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

/** A structured cell's value as pretty JSON in the shared dialog (grids open it). */
export function showJson(title: string, value: unknown): void {
  $('json-title').textContent = title;
  $('json-body').textContent = JSON.stringify(value, null, 2);
  $<HTMLDialogElement>('json-dialog').showModal();
}

/** A failed call's message for a page; a 401 goes back to the sign-in form. */
export function failure(e: unknown): string {
  if (e instanceof ApiError && e.status === 401) signedOut();
  return e instanceof Error ? e.message : String(e);
}
