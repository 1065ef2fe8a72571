// Helpers for the hosted (OAuth 2.0 / OIDC) endpoints: a pool with a domain and OAuth clients,
// and a minimal browser (fetch + cookie jar, no JavaScript) that signs a user in through the
// managed-login form the way a person would: follow the redirects, read the form, post it.

import { randomUUID } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export const PASSWORD = 'Hosted-Passw0rd!';

/**
 * A pool with a domain, a resource server `orders` (scopes read, write), a confidential web
 * client (code grant), a public client (code grant, PKCE), a machine client
 * (client_credentials) and a confirmed user. `callback` is the registered redirect URI; with
 * `mfa` the pool requires TOTP MFA.
 */
export async function hostedPool(server, idp, { callback, mfa = false } = {}) {
  const name = `hosted-${randomUUID().slice(0, 8)}`;
  const { UserPool } = await idp.send(
    new CreateUserPoolCommand({
      PoolName: name,
      AutoVerifiedAttributes: ['email'],
    }),
  );
  const poolId = UserPool.Id;
  if (mfa) {
    await idp.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        MfaConfiguration: 'ON',
      }),
    );
  }
  const domain = name;
  await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
  await idp.send(
    new CreateResourceServerCommand({
      UserPoolId: poolId,
      Identifier: 'orders',
      Name: 'Orders API',
      Scopes: [
        { ScopeName: 'read', ScopeDescription: 'read orders' },
        { ScopeName: 'write', ScopeDescription: 'write orders' },
      ],
    }),
  );
  const web = {
    UserPoolId: poolId,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
    CallbackURLs: [callback],
    LogoutURLs: [`${callback}/signed-out`],
    SupportedIdentityProviders: ['COGNITO'],
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
  };
  const { UserPoolClient: confidential } = await idp.send(
    new CreateUserPoolClientCommand({ ...web, ClientName: 'web', GenerateSecret: true }),
  );
  const { UserPoolClient: pub } = await idp.send(
    new CreateUserPoolClientCommand({ ...web, ClientName: 'spa' }),
  );
  const { UserPoolClient: machine } = await idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'machine',
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['orders/read', 'orders/write'],
    }),
  );
  const username = `user-${randomUUID().slice(0, 8)}`;
  const email = `${username}@example.com`;
  await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: 'Hosted User' },
      ],
    }),
  );
  await idp.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: username,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
  return {
    poolId,
    domain,
    hostedBase: `${server.url}/${domain}`,
    issuer: server.issuer(poolId),
    confidential: { id: confidential.ClientId, secret: confidential.ClientSecret },
    public: { id: pub.ClientId },
    machine: { id: machine.ClientId, secret: machine.ClientSecret },
    user: { username, email, password: PASSWORD },
  };
}

/** A cookie jar keyed by cookie name (one host). */
export class Browser {
  constructor() {
    this.cookies = new Map();
    this.visited = [];
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  remember(response) {
    for (const c of response.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const maxAge = attrs.map((a) => a.trim().toLowerCase()).find((a) => a.startsWith('max-age='));
      if (value === '' || maxAge === 'max-age=0') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url, { method = 'GET', form } = {}) {
    const headers = { cookie: this.cookieHeader() };
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const r = await fetch(url, { method, headers, body, redirect: 'manual' });
    this.remember(r);
    this.visited.push(`${method} ${url} -> ${r.status}`);
    return r;
  }

  /**
   * Follows redirects from `url` until one leaves for `stopPrefix` (returned) or a page is
   * shown (its response and HTML returned).
   */
  async follow(url, stopPrefix, init) {
    let r = await this.request(url, init);
    for (let i = 0; i < 10; i++) {
      if (r.status < 300 || r.status >= 400) {
        return { page: await r.text(), response: r, url };
      }
      const next = new URL(r.headers.get('location'), url).toString();
      if (next.startsWith(stopPrefix)) return { redirect: next, response: r };
      url = next;
      r = await this.request(url);
    }
    throw new Error(`too many redirects: ${this.visited.join('\n')}`);
  }
}

/** The first form of an HTML page: its action (absolute) and its inputs' current values. */
export function readForm(html, pageUrl) {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on the page:\n${html}`);
  const action = /\baction="([^"]*)"/i.exec(form[0])?.[1] ?? '';
  const fields = {};
  for (const m of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(m[0])?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(m[0])?.[1] ?? '';
    const type = /\btype="([^"]*)"/i.exec(m[0])?.[1] ?? 'text';
    if (name && type !== 'submit') fields[name] = decodeEntities(value);
  }
  return { action: new URL(decodeEntities(action), pageUrl).toString(), fields };
}

function decodeEntities(s) {
  return s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/**
 * Signs `user` in through the managed-login form, starting at an authorization URL, and
 * returns the callback URL the browser was finally sent to (with `code` and `state`).
 */
export async function signInThroughForm(browser, authorizeUrl, callbackPrefix, user) {
  const first = await browser.follow(authorizeUrl, callbackPrefix);
  if (first.redirect) return first.redirect;
  const { action, fields } = readForm(first.page, first.url);
  if (!('_csrf' in fields)) throw new Error('the sign-in form has no _csrf field');
  const submitted = await browser.follow(action, callbackPrefix, {
    method: 'POST',
    form: { ...fields, username: user.username, password: user.password },
  });
  if (!submitted.redirect) {
    throw new Error(`sign-in did not reach the callback:\n${submitted.page}`);
  }
  return submitted.redirect;
}
