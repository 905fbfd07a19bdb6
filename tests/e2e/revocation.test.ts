import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiKeyStore } from '../../src/auth/index.js';
import { authHeaders } from '../support/auth.js';
import { recpipe } from '../support/recpipe-cli.js';
import { connectDriver, sfRequest } from '../support/snowflake-driver.js';
import { serveHome, type ServedHome } from '../support/served-home.js';
import { tempDir } from '../support/temp-engine.js';

const PASSWORD = 'kim password 1';

function keyPair(): { privatePem: string; publicBody: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicBody: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

const post = (url: string, headers: Record<string, string>, body: unknown) =>
  fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

const asOwner = async (s: ServedHome, home: string, sql: string): Promise<void> => {
  const res = await post(`${s.url}/api/v1/statements`, authHeaders(home), { sql });
  assert.equal(res.status, 200, await res.text());
};

/** A console sign-in (password or API key): the cookie and CSRF header its requests carry. */
async function consoleSignIn(s: ServedHome, body: Record<string, string>): Promise<Record<string, string>> {
  const res = await post(`${s.url}/console/api/sign-in`, {}, body);
  assert.equal(res.status, 200, await res.clone().text());
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: String(res.headers.get('set-cookie')).split(';')[0], 'x-csrf-token': csrfToken };
}

const consoleRun = async (s: ServedHome, browser: Record<string, string>): Promise<number> =>
  (await post(`${s.url}/console/api/statements`, browser, { sql: 'select current_user()' })).status;

const sfLogin = async (s: ServedHome): Promise<string> => {
  const res = await sfRequest(s.url, '/session/v1/login-request', { data: { LOGIN_NAME: 'kim', PASSWORD } });
  assert.equal(res.json.success, true, JSON.stringify(res.json));
  return (res.json.data as { token: string }).token;
};
const sfQuery = async (s: ServedHome, token: string) =>
  (await sfRequest(s.url, '/queries/v1/query-request', { sqlText: 'select 1' }, token)).json;

/** The users whose sign-ins the home's login files still keep. */
function signInsOnDisk(home: string): string {
  return ['console-sign-ins.json', 'snowflake-sign-ins.json']
    .map((f) => join(home, f))
    .filter(existsSync)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), what);
}

/** A served home with user KIM (SYSADMIN, a password, a key pair and an API key), removed afterwards. */
async function withKim(
  fn: (home: string, s: () => ServedHome, restart: () => Promise<ServedHome>, kim: { key: string; privatePem: string }) => Promise<void>,
) {
  const tmp = tempDir();
  let s = await serveHome(tmp.dir);
  try {
    const pair = keyPair();
    await asOwner(
      s,
      tmp.dir,
      `use role accountadmin; create user kim password = '${PASSWORD}' default_role = sysadmin rsa_public_key = '${pair.publicBody}'; grant role sysadmin to user kim`,
    );
    const { key } = new ApiKeyStore(tmp.dir).create('SYSADMIN', 'kim-key', 'KIM');
    await fn(
      tmp.dir,
      () => s,
      async () => {
        await s.close();
        s = await serveHome(tmp.dir);
        return s;
      },
      { key, privatePem: pair.privatePem },
    );
  } finally {
    await s.close();
    tmp.remove();
  }
}

/**
 * Revoking a credential ends every session it opened, on every face and on disk: a console cookie
 * signed in with an API key dies with `recpipe keys revoke` (another process), /api/v1 sessions with
 * the key; disabling or dropping a user ends its console, Snowflake and /api/v1 sessions; unsetting a
 * key pair ends the Snowflake logins that proved it, and no other.
 */
describe('revocation ends sessions on every face', () => {
  it('recpipe keys revoke ends the console sign-in and /api/v1 sessions the key opened, across a restart too', { timeout: 120_000 }, () =>
    withKim(async (home, served, restart, kim) => {
      const s = served();
      const headers = { 'x-api-key': kim.key };
      const browser = await consoleSignIn(s, { apiKey: kim.key });
      assert.equal(await consoleRun(s, browser), 200);
      const opened = await post(`${s.url}/api/v1/sessions`, headers, {});
      assert.equal(opened.status, 201);
      const { id } = (await opened.json()) as { id: string };
      assert.equal((await post(`${s.url}/api/v1/statements`, headers, { sql: 'select 1', sessionId: id })).status, 200);
      await until('the sign-in is on disk', () => signInsOnDisk(home).includes('KIM'));

      const revoked = await recpipe(['keys', 'revoke', 'kim-key', '--home', home]);
      assert.equal(revoked.code, 0, revoked.stderr);
      // The server hears of the key file's change and ends the sign-in on disk before anyone uses it.
      await until('the revoked key’s console sign-in left the login file', () => !signInsOnDisk(home).includes('KIM'));
      assert.equal(await consoleRun(s, browser), 401);
      assert.equal((await fetch(`${s.url}/console/api/me`, { headers: browser })).status, 401);
      assert.equal((await post(`${s.url}/api/v1/statements`, headers, { sql: 'select 1', sessionId: id })).status, 401);

      const again = await restart();
      assert.equal(await consoleRun(again, browser), 401);
    }),
  );

  it('disabling a user ends its console, Snowflake and /api/v1 sessions; enabling it lets it sign in again', { timeout: 120_000 }, () =>
    withKim(async (home, served, restart, kim) => {
      const s = served();
      const byPassword = await consoleSignIn(s, { user: 'kim', password: PASSWORD });
      const byKey = await consoleSignIn(s, { apiKey: kim.key });
      const token = await sfLogin(s);
      assert.equal((await sfQuery(s, token)).success, true);

      await asOwner(s, home, 'use role accountadmin; alter user kim set disabled = true');
      await until('the disabled user’s sign-ins left the login files', () => !signInsOnDisk(home).includes('KIM'));
      assert.equal(await consoleRun(s, byPassword), 401);
      assert.equal(await consoleRun(s, byKey), 401);
      // The login was ended at once: its token is unknown now, as after a sign-out.
      const gone = await sfQuery(s, token);
      assert.equal(gone.success, false);
      assert.equal(gone.code, '390104', JSON.stringify(gone));
      assert.equal((await post(`${s.url}/api/v1/statements`, { 'x-api-key': kim.key }, { sql: 'select 1' })).status, 401);
      const refused = await sfRequest(s.url, '/session/v1/login-request', { data: { LOGIN_NAME: 'kim', PASSWORD } });
      assert.equal(refused.json.code, '390101', JSON.stringify(refused.json));
      assert.equal((await post(`${s.url}/console/api/sign-in`, {}, { user: 'kim', password: PASSWORD })).status, 401);

      await asOwner(s, home, 'use role accountadmin; alter user kim unset disabled');
      const after = await restart();
      assert.equal(await consoleRun(after, byPassword), 401, 'a sign-in ended stays ended');
      assert.equal((await sfQuery(after, await sfLogin(after))).success, true);
      assert.equal((await post(`${after.url}/api/v1/statements`, { 'x-api-key': kim.key }, { sql: 'select 1' })).status, 200);

      await asOwner(after, home, 'use role accountadmin; drop user kim');
      assert.equal((await post(`${after.url}/api/v1/statements`, { 'x-api-key': kim.key }, { sql: 'select 1' })).status, 401);
    }),
  );

  it('unsetting a key pair ends the Snowflake logins that proved it, not the user’s password logins', { timeout: 120_000 }, () =>
    withKim(async (home, served, _restart, kim) => {
      const s = served();
      const jwt = await connectDriver(s.url, 'kim', '', { authenticator: 'SNOWFLAKE_JWT', privateKey: kim.privatePem });
      const token = await sfLogin(s);
      try {
        assert.deepEqual((await jwt.execute('select 1 as n')).rows, [{ N: 1 }]);
        await asOwner(s, home, 'use role accountadmin; alter user kim unset rsa_public_key');
        await assert.rejects(jwt.execute('select 1 as n'), /Invalid token/);
        assert.equal((await sfQuery(s, token)).success, true);
      } finally {
        await jwt.destroy().catch(() => undefined);
      }
    }),
  );
});
