import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { mapAdapter } from './memory-adapter.js';

export interface TokenRequestRecord {
  grantType: string | null;
  /** Client authentication the request used. */
  auth: 'basic' | 'post' | 'none';
  scope: string | null;
  audience: string | null;
  status: number;
}

export interface OidcServer {
  issuer: string;
  tokenUrl: string;
  /** Token requests the server received, in order. */
  requests: TokenRequestRecord[];
  /** Issues a refresh token for a pre-seeded grant, as if a user had consented earlier. */
  issueRefreshToken(clientId: string): Promise<string>;
  revokeRefreshToken(token: string): Promise<void>;
  /** What a resource server would check: the access token exists and has not expired. */
  isActiveAccessToken(token: string): Promise<boolean>;
  /** Revokes every access token issued so far, as an admin "sign out everywhere" would. */
  revokeAccessTokens(): Promise<void>;
  /** Lifetime of the access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void;
  /** Makes the next token responses fail with this HTTP status before reaching the provider. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

export const clients = {
  post: { id: 'post-client', secret: 'post-client-secret-0123456789' },
  basic: { id: 'basic-client', secret: 'basic-client-secret-9876543210' },
} as const;

export interface OidcServerOptions {
  rotateRefreshToken: boolean;
  accessTokenTtlSeconds?: number;
}

/**
 * A real OAuth2 authorization server (oidc-provider) on a random loopback port, with the
 * refresh_token and client_credentials grants. Refresh tokens are minted through the provider's
 * own models for a seeded Grant, which is exactly what its authorization-code flow would store.
 */
export async function startOidcServer(options: OidcServerOptions): Promise<OidcServer> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const requests: TokenRequestRecord[] = [];
  let failures = { count: 0, status: 500 };
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/token') && failures.count > 0) {
      failures.count--;
      requests.push({ grantType: null, auth: 'none', scope: null, audience: null, status: failures.status });
      res.writeHead(failures.status, { 'content-type': 'text/plain' }).end('upstream trouble');
      return;
    }
    handler?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  let accessTokenTtl = options.accessTokenTtlSeconds ?? 3600;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    adapter: mapAdapter(),
    jwks: { keys: [{ ...signingKey, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    clients: [
      {
        client_id: clients.post.id,
        client_secret: clients.post.secret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['refresh_token', 'client_credentials', 'authorization_code'],
        redirect_uris: ['https://client.example/cb'],
        scope: 'api:read api:write',
      },
      {
        client_id: clients.basic.id,
        client_secret: clients.basic.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['refresh_token', 'client_credentials', 'authorization_code'],
        redirect_uris: ['https://client.example/cb'],
        scope: 'api:read api:write',
      },
    ],
    scopes: ['api:read', 'api:write', 'offline_access'],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    rotateRefreshToken: options.rotateRefreshToken,
    ttl: {
      AccessToken: () => accessTokenTtl,
      ClientCredentials: () => accessTokenTtl,
      RefreshToken: () => 86_400,
      Grant: () => 86_400,
    },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  });

  const issued: string[] = [];
  provider.use(async (ctx, next) => {
    if (ctx.path !== '/token') return next();
    await next();
    const answer = ctx.body as { access_token?: unknown } | undefined;
    if (typeof answer?.access_token === 'string') issued.push(answer.access_token);
    const body = (ctx.oidc?.body ?? {}) as Record<string, string | undefined>;
    const basic = /^basic /i.test(ctx.get('authorization'));
    requests.push({
      grantType: body.grant_type ?? null,
      auth: basic ? 'basic' : body.client_secret ? 'post' : 'none',
      scope: body.scope ?? null,
      audience: body.audience ?? null,
      status: ctx.status,
    });
  });
  handler = provider.callback();

  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    requests,
    async issueRefreshToken(clientId) {
      const client = await provider.Client.find(clientId);
      if (!client) throw new Error(`unknown client ${clientId}`);
      const accountId = 'account-1';
      const grant = new provider.Grant({ accountId, clientId });
      grant.addOIDCScope('api:read offline_access');
      const grantId = await grant.save();
      const refreshToken = new provider.RefreshToken({
        accountId,
        client,
        grantId,
        scope: 'api:read offline_access',
        gty: 'authorization_code',
      });
      return refreshToken.save();
    },
    async revokeRefreshToken(token) {
      const found = await provider.RefreshToken.find(token);
      await found?.destroy();
    },
    async isActiveAccessToken(token) {
      const found =
        (await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token));
      return found !== undefined && !found.isExpired;
    },
    async revokeAccessTokens() {
      for (const token of issued.splice(0)) {
        const found =
          (await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token));
        await found?.destroy();
      }
    },
    setAccessTokenTtl(seconds) {
      accessTokenTtl = seconds;
    },
    failNext(count, status) {
      failures = { count, status };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
