// Single sign-on against a real OpenID provider: the certified
// `oidc-provider` package, started here on loopback behind a small proxy
// that can spoil the ID token on its way back to Hearth. Chromium signs in
// through the provider's own pages, as staff would.
//
// Covered: sign-in (authorization code with PKCE, which the provider
// requires), the role mapped from groups and changed at the next sign-in (a
// mover), a person whose groups map to no role refused with a clear page,
// a tampered token and a token for another audience refused, the provider's
// key rotated, sign-out from Hearth going on to the provider, and sign-out at
// the provider ending the Hearth session (back-channel logout).

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { before, after } from 'node:test';
import Provider from 'oidc-provider';
import {
  useServer, step, page, context, baseUrl, api, checkPage, clickAndNavigate, expectPath, h1Text, freePort, sleep, DEMO_PASSWORD,
} from './harness.mjs';

const BUTTON = 'Sign in with your Riverside account';
const CLIENT_ID = 'hearth-test';
const CLIENT_SECRET = 'a-test-only-client-secret-not-for-use';

// The directory: invented people and groups. `sub` is the login typed at the provider.
const people = {
  ada: { preferred_username: 'ada.quillfake@riverside.example', name: 'Ada Quillfake', groups: ['Hearth housing officers'] },
  cy: { preferred_username: 'cy.marshtest@riverside.example', name: 'Cy Marshtest', groups: ['Finance'] },
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-sso-'));
const identityFile = path.join(dir, 'identity.json');
let hearthPort;
let issuer;
const providers = []; // {server, provider, kid}
let target; // the internal port the proxy forwards to
// What the proxy does to the token endpoint's answer: pass, tamper or wrong-aud.
let mode = 'pass';
let lastKid = null;
let signingKey; // the current provider's private key, to mint a token for another audience

function rsaKey(kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

const b64 = (buf) => Buffer.from(buf).toString('base64url');
const unb64 = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

// Spoils an ID token as the current mode says.
function spoil(idToken) {
  const [h, p, s] = idToken.split('.');
  const header = unb64(h);
  lastKid = header.kid;
  const claims = unb64(p);
  if (mode === 'tamper') {
    // Someone on the way adds a powerful group; the signature no longer fits.
    claims.groups = ['Hearth ASB team', 'Hearth housing officers'];
    return `${h}.${b64(JSON.stringify(claims))}.${s}`;
  }
  if (mode === 'wrong-aud') {
    // Properly signed by the provider's key, but issued to another client.
    claims.aud = 'some-other-application';
    const body = `${h}.${b64(JSON.stringify(claims))}`;
    const sig = crypto.sign('sha256', Buffer.from(body), signingKey.privateKey);
    return `${body}.${b64(sig)}`;
  }
  return idToken;
}

async function startProvider(key) {
  const port = await freePort();
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [`http://127.0.0.1:${hearthPort}/sign-in/sso/callback`],
      post_logout_redirect_uris: [`http://127.0.0.1:${hearthPort}/signed-out`],
      backchannel_logout_uri: `http://127.0.0.1:${hearthPort}/sign-in/sso/back-channel-logout`,
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    jwks: { keys: [key.jwk] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    // Claims in the ID token itself, as Entra ID sends groups.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, ...(people[id] ?? {}) }) }),
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
    },
    cookies: { keys: ['test-only-cookie-key'] },
    // The provider guards its outgoing calls against loopback addresses; in
    // this test Hearth *is* on loopback, so its back-channel call goes plainly.
    fetch: (url, { dispatcher, ...options }) => fetch(url, options),
  });
  provider.on('backchannel.error', (_ctx, err) => console.log(`back-channel logout failed: ${err.message}`));
  const server = http.createServer(provider.callback());
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  providers.push({ server, provider, kid: key.kid });
  target = port;
  signingKey = key;
}

// The proxy at the issuer's address: forwards everything, spoiling the token answer.
function startProxy(port) {
  const proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const up = http.request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (upRes) => {
        const body = [];
        upRes.on('data', (c) => body.push(c));
        upRes.on('end', () => {
          let out = Buffer.concat(body);
          const headers = { ...upRes.headers };
          if (req.url.startsWith('/token') && upRes.statusCode === 200) {
            const json = JSON.parse(out.toString('utf8'));
            if (json.id_token) json.id_token = spoil(json.id_token);
            out = Buffer.from(JSON.stringify(json));
            headers['content-length'] = String(out.length);
          }
          res.writeHead(upRes.statusCode, headers);
          res.end(out);
        });
      });
      up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
      up.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) => proxy.listen(port, '127.0.0.1', () => resolve(proxy)));
}

let proxy;
before(async () => {
  hearthPort = await freePort();
  const proxyPort = await freePort();
  issuer = `http://127.0.0.1:${proxyPort}`;
  await startProvider(rsaKey('k1'));
  proxy = await startProxy(proxyPort);
  fs.writeFileSync(path.join(dir, 'secret'), `${CLIENT_SECRET}\n`);
  fs.writeFileSync(identityFile, JSON.stringify({
    groups: [
      { group: 'Hearth housing officers', role: 'housing_officer' },
      { group: 'Hearth ASB team', role: 'asb_officer', responsibilities: ['asb'] },
    ],
    oidc: {
      issuer,
      client_id: CLIENT_ID,
      client_secret_file: path.join(dir, 'secret'),
      public_url: `http://127.0.0.1:${hearthPort}`,
      scopes: ['profile', 'groups'],
      button: BUTTON,
    },
  }));
});

useServer({ port: () => hearthPort, env: () => ({ HEARTH_IDENTITY_CONFIG: identityFile }) });

after(async () => {
  for (const p of providers) p.server.close();
  proxy?.close();
});

// Signs in at the provider as `login`. Ends on the home page when Hearth let them
// in, or on the callback's own page when it did not.
async function ssoSignIn(login, { expectSignedIn }) {
  await page.goto(`${baseUrl}/login`);
  await clickAndNavigate(page.getByRole('button', { name: BUTTON }));
  assert.ok(page.url().startsWith(issuer), `the sign-in button went to ${page.url()}, not the provider`);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any-password-the-dev-provider-takes');
  await clickAndNavigate(page.locator('button[type=submit]', { hasText: 'Sign-in' }));
  if (page.url().startsWith(issuer) && (await page.locator('button', { hasText: 'Continue' }).count()) > 0) {
    await clickAndNavigate(page.locator('button', { hasText: 'Continue' }));
  }
  if (expectSignedIn) {
    await page.waitForURL(`${baseUrl}/`);
  } else {
    await page.waitForURL((u) => u.href.startsWith(`${baseUrl}/sign-in/sso/callback`));
    await page.waitForLoadState('load');
  }
}

async function signedOutOfHearth() {
  await page.goto(`${baseUrl}/search`);
  await expectPath('/login');
}

async function adminToken() {
  const { token } = await api('POST', '/api/v1/auth/token', { body: { username: 'admin', password: DEMO_PASSWORD } });
  return token;
}

async function account(username) {
  const staff = await api('GET', '/api/v1/staff', { token: await adminToken() });
  return staff.find((a) => a.username === username);
}

step('the sign-in page offers single sign-on beside passwords', async () => {
  await page.goto(`${baseUrl}/login`);
  await checkPage('the sign-in page with single sign-on');
  assert.equal(await page.getByRole('button', { name: BUTTON }).count(), 1);
  assert.equal(await page.getByLabel('Password', { exact: true }).count(), 1, 'local passwords stay on unless switched off');
});

step('a joiner signs in through the provider and gets the role their group maps to', async () => {
  await ssoSignIn('ada', { expectSignedIn: true });
  await checkPage('the search page after single sign-on');
  assert.match(await page.locator('body').textContent(), /Ada Quillfake/);
  const ada = await account(people.ada.preferred_username);
  assert.ok(ada, 'the joiner has a Hearth account');
  assert.equal(ada.role, 'housing_officer');
  assert.equal(lastKid, 'k1');
});

step('signing out of Hearth signs out of the provider too', async () => {
  await clickAndNavigate(page.getByRole('button', { name: 'Sign out', exact: true }));
  // Hearth's own page moves on to the provider's sign-out confirmation.
  await page.waitForURL((u) => u.href.startsWith(issuer));
  await clickAndNavigate(page.getByRole('button', { name: 'Yes, sign me out' }));
  await page.waitForURL(`${baseUrl}/signed-out`);
  assert.equal(await h1Text(), 'You have signed out');
  await checkPage('the signed-out page');
  await signedOutOfHearth();
});

step('a mover moved to another group has the new role at the next sign-in', async () => {
  people.ada.groups = ['Hearth ASB team'];
  await ssoSignIn('ada', { expectSignedIn: true });
  const ada = await account(people.ada.preferred_username);
  assert.equal(ada.role, 'asb_officer');
  assert.deepEqual(ada.responsibilities, ['asb']);
});

step('signing out at the provider ends the Hearth session (back-channel logout)', async () => {
  await page.goto(`${issuer}/session/end`);
  await clickAndNavigate(page.getByRole('button', { name: 'Yes, sign me out' }));
  // The provider tells Hearth behind the scenes; give it a moment.
  let ended = false;
  for (let i = 0; i < 20 && !ended; i += 1) {
    const res = await page.request.get(`${baseUrl}/search`, { maxRedirects: 0 });
    ended = res.status() === 303 || res.status() === 302;
    if (!ended) await sleep(250);
  }
  assert.ok(ended, 'the Hearth session outlived the provider sign-out');
  await signedOutOfHearth();
});

step('someone whose groups give no Hearth role is refused with a clear page', async () => {
  await context.clearCookies();
  await ssoSignIn('cy', { expectSignedIn: false });
  assert.equal(await h1Text(), 'You cannot sign in to Hearth');
  assert.match(await page.locator('main').textContent(), /not in any group that gives a role in Hearth/);
  await checkPage('the refusal page');
  assert.equal(await account(people.cy.preferred_username), undefined, 'no account is made for them');
  await signedOutOfHearth();
});

step('a tampered ID token is refused', async () => {
  await context.clearCookies();
  mode = 'tamper';
  await ssoSignIn('ada', { expectSignedIn: false });
  assert.equal(await h1Text(), 'You were not signed in');
  await signedOutOfHearth();
});

step('an ID token for another audience is refused', async () => {
  await context.clearCookies();
  mode = 'wrong-aud';
  await ssoSignIn('ada', { expectSignedIn: false });
  assert.equal(await h1Text(), 'You were not signed in');
  await signedOutOfHearth();
});

step('after the provider rotates its signing key, sign-in still works', async () => {
  await context.clearCookies();
  mode = 'pass';
  await startProvider(rsaKey('k2')); // the proxy now forwards to a provider that signs with k2 only
  await ssoSignIn('ada', { expectSignedIn: true });
  assert.equal(lastKid, 'k2', 'the token was signed with the new key');
  assert.match(await page.locator('body').textContent(), /Ada Quillfake/);
});
