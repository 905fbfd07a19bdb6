import { ApiError, api, type Me } from './api.js';
import { PAGES } from './pages/index.js';
import { Router } from './router.js';
import { $, showSignIn } from './shell.js';

async function start(): Promise<void> {
  try {
    showApp(await api.me());
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showSignIn();
    else showSignIn(String((e as Error).message));
  }
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  const value = (k: string) => String(form.get(k) ?? '').trim() || undefined;
  const apiKey = value('apiKey');
  try {
    const me = await api.signIn(apiKey ? { apiKey } : { user: value('user'), password: String(form.get('password') ?? '') || undefined });
    (event.target as HTMLFormElement).reset();
    showApp(me);
  } catch (e) {
    $('sign-in-error').textContent = (e as Error).message;
  }
});

let started = false;

function showApp(me: Me): void {
  $('sign-in').hidden = true;
  $('app').hidden = false;
  $('who').textContent = me.user;
  if (!started) {
    started = true;
    new Router(PAGES, $('page-nav'), $('pages'), me).route();
  }
}

void start();
