// The peer of benches/http/token.sh: oidc-provider's token endpoint with one client allowed
// only the client_credentials grant (client_secret_basic), access tokens as RS256 JWTs.
//
//   NODE_ENV=production node provider.mjs CLIENT_ID CLIENT_SECRET
//
// Listens on 127.0.0.1 on a free port and prints `listening on http://127.0.0.1:PORT` once the
// server accepts connections; the token endpoint is then POST {that}/token. The signing key is
// a fresh RSA-2048 key (RS256) generated at start; the resource server (the default resource of
// every token request) issues JWT access tokens with the scope `orders/read`, as a Cognito
// resource server `orders` with the scope `read` does. No request logging; the in-memory
// adapter is oidc-provider's default and a JWT access token is not stored in it.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const [clientId, clientSecret] = process.argv.slice(2);
if (!clientId || !clientSecret) {
  console.error('usage: node provider.mjs CLIENT_ID CLIENT_SECRET');
  process.exit(2);
}

const RESOURCE = 'https://orders.bench.example';
const SCOPE = 'orders/read';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

let handler = (_req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = createServer((req, res) => handler(req, res));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: SCOPE,
      },
    ],
    jwks: { keys: [jwk] },
    scopes: [SCOPE],
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== RESOURCE) throw new Provider.errors.InvalidTarget();
          return {
            scope: SCOPE,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    ttl: { ClientCredentials: 3600 },
  });
  handler = provider.callback();
  console.log(`listening on ${issuer}`);
});
