import { describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox, TOO_MANY_TOKENS_BODY } from '../src/index.js';
import { billingGet, manualClock, requestToken } from './helpers.js';

async function withSandbox(
  options: Parameters<typeof startSandbox>[0],
  body: (sandbox: Sandbox) => Promise<void>,
) {
  const sandbox = await startSandbox({ size: 3, ...options });
  try {
    await body(sandbox);
  } finally {
    await sandbox.close();
  }
}

describe('token endpoint', () => {
  it('lives on its own origin at /oauth/v2/token', () =>
    withSandbox({}, async (sandbox) => {
      const tokenOrigin = new URL(sandbox.tokenUrl);
      expect(tokenOrigin.pathname).toBe('/oauth/v2/token');
      expect(tokenOrigin.origin).not.toBe(new URL(sandbox.billingUrl).origin);
      expect(tokenOrigin.origin).not.toBe(new URL(sandbox.analyticsUrl).origin);
    }));

  it.each(['form', 'query'] as const)('grants a token with the parameters in the %s', (via) =>
    withSandbox({ tokenTtlSeconds: 120 }, async (sandbox) => {
      const { status, body } = await requestToken(sandbox, {}, via);
      expect(status).toBe(200);
      expect(Object.keys(body)).toEqual(['access_token', 'api_domain', 'token_type', 'expires_in']);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 120, api_domain: sandbox.billingUrl });
      expect((await billingGet(sandbox, '/plans', body.access_token!)).status).toBe(200);
      expect(sandbox.stats().tokensIssued).toBe(1);
    }),
  );

  it('answers a bad refresh token with HTTP 200 {"error":"invalid_code"}', () =>
    withSandbox({}, async (sandbox) => {
      const { status, body } = await requestToken(sandbox, { refresh_token: '1000.bad.token' });
      expect(status).toBe(200);
      expect(body).toEqual({ error: 'invalid_code' });
      expect(sandbox.stats().tokensIssued).toBe(0);
    }));

  it.each([
    ['client_id', '1000.UNKNOWN'],
    ['client_secret', 'wrong-secret'],
  ])('answers a bad %s with HTTP 200 {"error":"invalid_client"}', (field, value) =>
    withSandbox({}, async (sandbox) => {
      const { status, body } = await requestToken(sandbox, { [field]: value });
      expect(status).toBe(200);
      expect(body).toEqual({ error: 'invalid_client' });
    }),
  );

  it('answers another grant type with unsupported_grant_type', () =>
    withSandbox({}, async (sandbox) => {
      const { body } = await requestToken(sandbox, { grant_type: 'client_credentials' });
      expect(body).toEqual({ error: 'unsupported_grant_type' });
    }));

  it('refuses tokens past the per-refresh-token limit with 400 "Access Denied", until the window passes', () => {
    const clock = manualClock();
    return withSandbox({ tokenLimit: { count: 3, windowSeconds: 1 }, now: clock.now }, async (sandbox) => {
      for (let i = 0; i < 3; i++) expect((await requestToken(sandbox)).body.access_token).toBeDefined();
      const refused = await requestToken(sandbox);
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual(TOO_MANY_TOKENS_BODY);
      expect(sandbox.stats().tokensIssued).toBe(3);
      clock.advance(1_050);
      expect((await requestToken(sandbox)).body.access_token).toBeDefined();
    });
  });

  it('rotates the refresh token when configured: the new one works, the old one is invalid_code', () =>
    withSandbox({ rotateRefreshToken: true }, async (sandbox) => {
      const first = await requestToken(sandbox);
      expect(first.body.refresh_token).toMatch(/^1000\./);
      expect(first.body.refresh_token).not.toBe(sandbox.credentials.refreshToken);
      const reused = await requestToken(sandbox);
      expect(reused.body).toEqual({ error: 'invalid_code' });
      const second = await requestToken(sandbox, { refresh_token: first.body.refresh_token! });
      expect(second.body.access_token).toBeDefined();
      expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    }));

  it('counts rotated tokens against the same limit', () =>
    withSandbox(
      { rotateRefreshToken: true, tokenLimit: { count: 2, windowSeconds: 60 } },
      async (sandbox) => {
        const first = await requestToken(sandbox);
        const second = await requestToken(sandbox, { refresh_token: first.body.refresh_token! });
        const third = await requestToken(sandbox, { refresh_token: second.body.refresh_token! });
        expect(third.status).toBe(400);
        expect(third.body.error).toBe('Access Denied');
      },
    ));

  it('answers GET on the token path with 405 and other paths with 404', () =>
    withSandbox({}, async (sandbox) => {
      expect((await fetch(sandbox.tokenUrl)).status).toBe(405);
      expect((await fetch(new URL('/oauth/v2/auth', sandbox.tokenUrl), { method: 'POST' })).status).toBe(404);
    }));

  it('derives the same credentials from the same seed, and takes fixed ones when given', async () => {
    const a = await startSandbox({ seed: 3, size: 0 });
    const b = await startSandbox({ seed: 3, size: 0, credentials: { apiKey: 'my-key' } });
    try {
      expect(b.credentials.clientId).toBe(a.credentials.clientId);
      expect(b.credentials.refreshToken).toBe(a.credentials.refreshToken);
      expect(b.credentials.apiKey).toBe('my-key');
      const response = await fetch(`${b.analyticsUrl}/v1/plans`, {
        headers: { authorization: 'Bearer my-key' },
      });
      expect(response.status).toBe(200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
