import { createServer } from 'node:net';
import { createEventBus, createRetryingFetch, type SiphonEvent } from '@siphon/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  OAuth2Error,
  type OAuth2Event,
  OAuth2TokenSource,
  type OAuth2TokenSourceOptions,
  oauth2LogEntry,
} from '../src/index.js';
import { expectNoSecrets, rejection } from './helpers/leaks.js';
import {
  type StubReply,
  type StubRequest,
  startTokenStub,
  type TokenStub,
  tokenReply,
} from './helpers/token-stub.js';

const CLIENT_SECRET = 'client-secret-7f3a9c';
const REFRESH_TOKEN = '1000.refresh-9b8c7d6e5f';
const SECRETS = [CLIENT_SECRET, REFRESH_TOKEN];

let stub: TokenStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function sourceFor(
  reply: (request: StubRequest, index: number) => StubReply | Promise<StubReply>,
  options: Partial<OAuth2TokenSourceOptions> = {},
): Promise<{ source: OAuth2TokenSource; stub: TokenStub }> {
  stub = await startTokenStub(reply);
  const source = new OAuth2TokenSource({
    tokenUrl: stub.url,
    clientId: '1000.CLIENTID',
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    allowInsecureHttp: true,
    ...options,
  });
  return { source, stub };
}

function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('OAuth2TokenSource against a scripted token endpoint', () => {
  it('sends the billing refresh grant as a form body with client_secret_post', async () => {
    const { source, stub } = await sourceFor(() => tokenReply('access-1-abcdef'));
    expect(await source.getAccessToken()).toBe('access-1-abcdef');
    expect(stub.requests).toEqual([
      {
        params: {
          grant_type: 'refresh_token',
          refresh_token: REFRESH_TOKEN,
          client_id: '1000.CLIENTID',
          client_secret: CLIENT_SECRET,
        },
        authorization: undefined,
      },
    ]);
  });

  it('sends client credentials in a Basic header with client_secret_basic', async () => {
    const { source, stub } = await sourceFor(() => tokenReply('access-basic-1'), {
      clientAuth: 'client_secret_basic',
    });
    await source.getAccessToken();
    const request = stub.requests[0]!;
    expect(request.params.client_secret).toBeUndefined();
    // RFC 6749 2.3.1: id and secret are form-encoded before base64, so "." travels as %2E.
    const decoded = Buffer.from(request.authorization!.replace(/^Basic /, ''), 'base64').toString();
    expect(decoded.split(':').map(decodeURIComponent)).toEqual(['1000.CLIENTID', CLIENT_SECRET]);
  });

  it('caches the token until expires_in minus the skew, then refreshes ahead of expiry', async () => {
    const clock = manualClock();
    let n = 0;
    const { source, stub } = await sourceFor(() => tokenReply(`access-${++n}-xyz`, { expires_in: 600 }), {
      expirySkewSeconds: 60,
      now: clock.now,
    });
    expect(await source.getAccessToken()).toBe('access-1-xyz');
    clock.advance(539_000);
    expect(await source.getAccessToken()).toBe('access-1-xyz');
    clock.advance(1_000); // 540 s = 600 s - 60 s skew: refresh although the token still has a minute.
    expect(await source.getAccessToken()).toBe('access-2-xyz');
    expect(stub.requests).toHaveLength(2);
    const token = await source.getToken();
    expect(token.expiresAt - token.refreshAt).toBe(60_000);
  });

  it('caps the skew at half the lifetime, so short-lived tokens are still reused', async () => {
    const clock = manualClock();
    let n = 0;
    const { source } = await sourceFor(() => tokenReply(`access-${++n}-short`, { expires_in: 4 }), {
      expirySkewSeconds: 30,
      now: clock.now,
    });
    expect(await source.getAccessToken()).toBe('access-1-short');
    clock.advance(1_900);
    expect(await source.getAccessToken()).toBe('access-1-short');
    clock.advance(100);
    expect(await source.getAccessToken()).toBe('access-2-short');
  });

  it('assumes the configured default lifetime when expires_in is missing', async () => {
    const clock = manualClock();
    const events: OAuth2Event[] = [];
    let n = 0;
    const { source } = await sourceFor(
      () => ({ body: { access_token: `access-${++n}-noexp`, token_type: 'Bearer' } }),
      { defaultExpiresInSeconds: 120, expirySkewSeconds: 20, now: clock.now },
    );
    source.on((event) => events.push(event));
    expect(await source.getAccessToken()).toBe('access-1-noexp');
    clock.advance(99_000);
    expect(await source.getAccessToken()).toBe('access-1-noexp');
    clock.advance(1_000);
    expect(await source.getAccessToken()).toBe('access-2-noexp');
    expect(events.find((e) => e.type === 'oauth2.token_issued')).toMatchObject({
      expiresInSeconds: 120,
      expiresInDefaulted: true,
    });
  });

  it('reports each token request, with its reason, on the bus it is given, under oauth2.*', async () => {
    const clock = manualClock();
    const bus = createEventBus();
    const seen: SiphonEvent[] = [];
    bus.onAny((event) => seen.push(event));
    let n = 0;
    const { source } = await sourceFor(
      () => ({ body: { access_token: `access-${++n}-bus`, token_type: 'Bearer', expires_in: 60 } }),
      { now: clock.now, expirySkewSeconds: 10, events: bus },
    );
    expect(source.events).toBe(bus);
    await source.getAccessToken();
    clock.advance(50_000);
    await source.getAccessToken();
    source.invalidate();
    await source.getAccessToken();
    const requested = seen.flatMap((e) => (e.type === 'oauth2.token_requested' ? [e.reason] : []));
    expect(requested).toEqual(['initial', 'expiring', 'invalidated']);
    expect(seen.map((e) => e.type)).toEqual([
      'oauth2.token_requested',
      'oauth2.token_issued',
      'oauth2.token_requested',
      'oauth2.token_issued',
      'oauth2.token_invalidated',
      'oauth2.token_requested',
      'oauth2.token_issued',
    ]);
    const auth = source.describe();
    for (const event of seen) expect(event).toMatchObject({ auth, grantType: 'refresh_token' });
    expectNoSecrets(JSON.stringify(seen), SECRETS);
  });

  it('names a refresh token kept in memory only in its event, and its log line warns', async () => {
    const { source } = await sourceFor(() => tokenReply('access-rotated-1', { refresh_token: 'rotated-2' }));
    const issued: OAuth2Event[] = [];
    source.on((event) => issued.push(event));
    await source.getAccessToken();
    const event = issued.find((e) => e.type === 'oauth2.token_issued');
    expect(event).toMatchObject({ refreshTokenRotated: true, refreshTokenInMemoryOnly: true });
    expect(oauth2LogEntry(event!)).toEqual({
      level: 'warn',
      message: expect.stringContaining('kept in memory only'),
    });
  });

  it('makes a single token request however many callers wait', async () => {
    const { source, stub } = await sourceFor(() => ({ ...tokenReply('access-shared-1'), delayMs: 100 }));
    const tokens = await Promise.all(Array.from({ length: 50 }, () => source.getAccessToken()));
    expect(new Set(tokens)).toEqual(new Set(['access-shared-1']));
    expect(stub.requests).toHaveLength(1);
  });

  it('shares one failure among concurrent callers, and tries again on the next call', async () => {
    const { source, stub } = await sourceFor((_r, i) =>
      i === 0 ? { status: 200, body: { error: 'invalid_code' }, delayMs: 50 } : tokenReply('access-after'),
    );
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => source.getAccessToken()));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(stub.requests).toHaveLength(1);
    expect(await source.getAccessToken()).toBe('access-after');
  });

  it('treats HTTP 200 with {"error":"invalid_code"} as a failure naming the code and the token URL', async () => {
    const { source, stub } = await sourceFor(() => ({ status: 200, body: { error: 'invalid_code' } }));
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(OAuth2Error.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'OAUTH2_TOKEN_REJECTED',
      serverError: 'invalid_code',
      status: 200,
      tokenUrl: stub.url,
      retriable: false,
    });
    expect(error.message).toBe(
      `oauth2: refresh_token token request to ${stub.url} was refused: the server answered HTTP 200 with error "invalid_code". ` +
        'The refresh token is invalid, expired or revoked: issue a new one and update the config',
    );
    expectNoSecrets(error, SECRETS);
  });

  it('explains the per-refresh-token limit and marks it retriable', async () => {
    const { source } = await sourceFor(() => ({
      status: 400,
      body: {
        error_description: 'You have made too many requests continuously. Please try again after some time.',
        error: 'Access Denied',
        status: 'failure',
      },
    }));
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error).toMatchObject({
      code: 'OAUTH2_TOKEN_REJECTED',
      serverError: 'Access Denied',
      status: 400,
      retriable: true,
    });
    expect(error.message).toContain('HTTP 400 with error "Access Denied" (You have made too many requests');
    expect(error.message).toContain('limits how many access tokens one refresh token may get');
  });

  it('masks secrets that a server echoes in its error description', async () => {
    const { source } = await sourceFor((request) => ({
      status: 400,
      body: {
        error: 'invalid_client',
        error_description: `bad secret ${request.params.client_secret} for client`,
      },
    }));
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error.serverErrorDescription).toBe('bad secret [redacted] for client');
    expect(error.message).toContain('error "invalid_client" (bad secret [redacted] for client)');
    expectNoSecrets(error, SECRETS);
  });

  it('never leaks tokens from a response openid-client refuses (unsupported token_type)', async () => {
    const { source } = await sourceFor(() =>
      tokenReply('access-leak-check-123', {
        token_type: 'Zoho-oauthtoken',
        refresh_token: 'new-refresh-leak-456',
      }),
    );
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error.code).toBe('OAUTH2_INVALID_RESPONSE');
    expect(error.message).toMatch(/token_type "zoho-oauthtoken"; only Bearer tokens are supported/i);
    expectNoSecrets(error, [...SECRETS, 'access-leak-check-123', 'new-refresh-leak-456']);
  });

  it('reports an HTML page answered with 200 as an invalid response', async () => {
    const { source } = await sourceFor(() => ({
      body: '<html>maintenance</html>',
      contentType: 'text/html',
    }));
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error.code).toBe('OAUTH2_INVALID_RESPONSE');
    expect(error.message).toContain('answered HTTP 200 with content-type text/html, expected JSON');
  });

  it('reports a body cut short without quoting it', async () => {
    const { source } = await sourceFor(() => ({ body: '{"access_token":"partial-token-secret","tok' }));
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error.message).toContain('a body that is not valid JSON');
    expectNoSecrets(error, [...SECRETS, 'partial-token-secret']);
  });

  it('without a retrying fetch, reports a 503 once as a retriable error', async () => {
    const { source, stub } = await sourceFor(() => ({
      status: 503,
      body: 'busy',
      contentType: 'text/plain',
    }));
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error).toMatchObject({ code: 'OAUTH2_HTTP_STATUS', status: 503, retriable: true });
    expect(error.message).toBe(
      `oauth2: refresh_token token request to ${stub.url} failed: the server answered HTTP 503`,
    );
    expect(stub.requests).toHaveLength(1);
  });

  it("retries 5xx through core's retrying fetch, then succeeds", async () => {
    const fetch = createRetryingFetch({ retry: { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 20 } });
    const { source, stub } = await sourceFor(
      (_r, i) =>
        i < 2
          ? { status: i === 0 ? 503 : 502, body: 'busy', contentType: 'text/plain' }
          : tokenReply('access-retried'),
      { fetch },
    );
    expect(await source.getAccessToken()).toBe('access-retried');
    expect(stub.requests).toHaveLength(3);
  });

  it('names an unreachable token endpoint as a retriable network error', async () => {
    const port = await closedPort();
    const source = new OAuth2TokenSource({
      tokenUrl: `http://127.0.0.1:${port}/oauth/v2/token`,
      clientId: 'id',
      clientSecret: CLIENT_SECRET,
      refreshToken: REFRESH_TOKEN,
      allowInsecureHttp: true,
    });
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error).toMatchObject({ code: 'OAUTH2_NETWORK', retriable: true });
    expect(error.message).toContain(
      `token request to http://127.0.0.1:${port}/oauth/v2/token failed: could not reach the server`,
    );
    expect(error.message).toContain('ECONNREFUSED');
    expectNoSecrets(error, SECRETS);
  });

  it("names an unreachable token endpoint after core's retrying fetch gives up", async () => {
    const port = await closedPort();
    const source = new OAuth2TokenSource({
      tokenUrl: `http://127.0.0.1:${port}/oauth/v2/token`,
      clientId: 'id',
      clientSecret: CLIENT_SECRET,
      refreshToken: REFRESH_TOKEN,
      allowInsecureHttp: true,
      fetch: createRetryingFetch({ retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 5 } }),
    });
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error).toMatchObject({ code: 'OAUTH2_NETWORK', retriable: true });
    expect(error.message).toContain('could not reach the server');
    expect(error.message).toContain('ECONNREFUSED');
    expectNoSecrets(error, SECRETS);
  });

  it('sanitises errors thrown by the fetch it was given, including echoed request details', async () => {
    stub = await startTokenStub(() => tokenReply('unused'));
    const leakyFetch = (async (
      url: string,
      init: { body: URLSearchParams; headers: Record<string, string> },
    ) => {
      const cause = new Error(`socket closed while sending ${init.body.toString()}`);
      throw Object.assign(
        new Error(`POST ${url} failed (authorization: ${init.headers.authorization})`, { cause }),
        {
          code: 'ECONNRESET',
          headers: init.headers,
        },
      );
    }) as unknown as typeof fetch;
    const source = new OAuth2TokenSource({
      tokenUrl: stub.url,
      clientId: 'client.id',
      clientSecret: CLIENT_SECRET,
      refreshToken: REFRESH_TOKEN,
      clientAuth: 'client_secret_basic',
      allowInsecureHttp: true,
      fetch: leakyFetch,
    });
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error).toMatchObject({ code: 'OAUTH2_NETWORK', retriable: true });
    expect(error.message).toContain('authorization: Basic [redacted]');
    const basic = Buffer.from(`client%2Eid:${CLIENT_SECRET.replace(/-/g, '%2D')}`).toString('base64');
    expectNoSecrets(error, [...SECRETS, basic, encodeURIComponent(REFRESH_TOKEN)]);
  });

  it('gives up after timeoutSeconds', async () => {
    const { source } = await sourceFor(() => ({ ...tokenReply('slow'), delayMs: 3_000 }), {
      timeoutSeconds: 0.2,
    });
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error).toMatchObject({ code: 'OAUTH2_NETWORK', retriable: true });
    expect(error.message).toContain('no answer within 0.2 s');
  });

  it('invalidate() forces a new token; with a generation it spares a newer token', async () => {
    let n = 0;
    const { source, stub } = await sourceFor(() => tokenReply(`access-${++n}-inv`));
    const first = await source.getToken();
    expect(source.invalidate(first.generation)).toBe(true);
    const second = await source.getToken();
    expect(second.accessToken).toBe('access-2-inv');
    expect(source.invalidate(first.generation)).toBe(false);
    expect(await source.getAccessToken()).toBe('access-2-inv');
    expect(stub.requests).toHaveLength(2);
  });

  it('builds the Authorization header with the configured scheme', async () => {
    const { source } = await sourceFor(() => tokenReply('access-zoho'), { headerScheme: 'Zoho-oauthtoken' });
    expect(await source.authorizationHeader()).toBe('Zoho-oauthtoken access-zoho');
    expect(source.describe()).toMatch(/^oauth2\(refresh_token @ 127\.0\.0\.1:\d+\)$/);
  });

  it('shows no secret when the source itself is inspected or serialised', async () => {
    const { source } = await sourceFor(() => tokenReply('access-inspect-1'));
    await source.getAccessToken();
    const { inspect } = await import('node:util');
    const text = `${inspect(source, { depth: 10, showHidden: true })}${JSON.stringify(source)}`;
    for (const secret of [...SECRETS, 'access-inspect-1']) expect(text).not.toContain(secret);
  });
});

describe('refresh-token rotation', () => {
  it('uses a rotated refresh token from then on, after onRefreshToken has persisted it', async () => {
    const persisted: string[] = [];
    let n = 0;
    const { source, stub } = await sourceFor(
      () => tokenReply(`access-${++n}`, { refresh_token: `refresh-rotated-${n}` }),
      {
        onRefreshToken: async (token) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          persisted.push(token);
        },
      },
    );
    expect(await source.getAccessToken()).toBe('access-1');
    expect(persisted).toEqual(['refresh-rotated-1']);
    source.invalidate();
    expect(await source.getAccessToken()).toBe('access-2');
    expect(persisted).toEqual(['refresh-rotated-1', 'refresh-rotated-2']);
    expect(stub.requests.map((r) => r.params.refresh_token)).toEqual([REFRESH_TOKEN, 'refresh-rotated-1']);
  });

  it('does not call onRefreshToken when the server sends the same refresh token back', async () => {
    const persisted: string[] = [];
    const { source } = await sourceFor(() => tokenReply('access-same', { refresh_token: REFRESH_TOKEN }), {
      onRefreshToken: (token) => {
        persisted.push(token);
      },
    });
    await source.getAccessToken();
    expect(persisted).toEqual([]);
  });

  it('withholds the access token until a failed persist succeeds, without a new token request', async () => {
    let attempts = 0;
    const { source, stub } = await sourceFor(
      () => tokenReply('access-rot', { refresh_token: 'refresh-new-77' }),
      {
        onRefreshToken: () => {
          attempts++;
          if (attempts === 1) throw new Error('disk full while writing refresh-new-77');
        },
      },
    );
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error.code).toBe('OAUTH2_REFRESH_TOKEN_NOT_PERSISTED');
    expect(error.message).toContain('disk full while writing [redacted]');
    expectNoSecrets(error, [...SECRETS, 'refresh-new-77', 'access-rot']);
    expect(await source.getAccessToken()).toBe('access-rot');
    expect(attempts).toBe(2);
    expect(stub.requests).toHaveLength(1);
  });

  it('ignores refresh tokens sent back to a client_credentials grant', async () => {
    const persisted: string[] = [];
    stub = await startTokenStub(() => tokenReply('access-cc', { refresh_token: 'unexpected-refresh' }));
    const source = new OAuth2TokenSource({
      tokenUrl: stub.url,
      clientId: 'id',
      clientSecret: CLIENT_SECRET,
      allowInsecureHttp: true,
      onRefreshToken: (token) => {
        persisted.push(token);
      },
    });
    expect(await source.getAccessToken()).toBe('access-cc');
    expect(stub.requests[0]!.params.grant_type).toBe('client_credentials');
    expect(persisted).toEqual([]);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
