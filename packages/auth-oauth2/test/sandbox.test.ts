import { ApiClient, createRetryingFetch, HttpTransport } from '@siphon/core';
import { manualClock, type Sandbox, type SandboxOptions, startSandbox } from '@siphon/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  OAuth2AuthProvider,
  type OAuth2Error,
  OAuth2TokenSource,
  type OAuth2TokenSourceOptions,
} from '../src/index.js';
import { expectNoSecrets, rejection } from './helpers/leaks.js';

const quickRetries = { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 50 };

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ size: 20, ...options });
  return sandbox;
}

function billingSource(sb: Sandbox, options: Partial<OAuth2TokenSourceOptions> = {}): OAuth2TokenSource {
  return new OAuth2TokenSource({
    tokenUrl: sb.tokenUrl,
    clientId: sb.credentials.clientId,
    clientSecret: sb.credentials.clientSecret,
    refreshToken: sb.credentials.refreshToken,
    allowInsecureHttp: true,
    ...options,
  });
}

function secretsOf(sb: Sandbox): string[] {
  return [sb.credentials.clientSecret, sb.credentials.refreshToken];
}

async function getInvoices(sb: Sandbox, authorization: string): Promise<number> {
  const response = await fetch(`${sb.billingUrl}/invoices?page=1&per_page=5`, { headers: { authorization } });
  await response.body?.cancel();
  return response.status;
}

describe("the sandbox's billing token endpoint", () => {
  it('issues a token the billing API accepts with both the Zoho-oauthtoken and the Bearer scheme', async () => {
    const sb = await start();
    const zoho = billingSource(sb, { headerScheme: 'Zoho-oauthtoken' });
    const header = await zoho.authorizationHeader();
    expect(header).toMatch(/^Zoho-oauthtoken \S+$/);
    expect(await getInvoices(sb, header)).toBe(200);
    expect(await getInvoices(sb, `Bearer ${await zoho.getAccessToken()}`)).toBe(200);
    expect(await getInvoices(sb, 'Zoho-oauthtoken not-a-token')).toBe(401);
    expect(sb.stats().tokensIssued).toBe(1);
  });

  it('turns HTTP 200 {"error":"invalid_code"} for a bad refresh token into a clear failure', async () => {
    const sb = await start();
    const source = billingSource(sb, { refreshToken: '1000.not-the-refresh-token' });
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error).toMatchObject({ code: 'OAUTH2_TOKEN_REJECTED', serverError: 'invalid_code', status: 200 });
    expect(error.message).toBe(
      `oauth2: refresh_token token request to ${sb.tokenUrl} was refused: the server answered HTTP 200 with error "invalid_code". ` +
        'The refresh token is invalid, expired or revoked: issue a new one and update the config',
    );
    expectNoSecrets(error, [...secretsOf(sb), '1000.not-the-refresh-token']);
  });

  it('turns HTTP 200 {"error":"invalid_client"} for a bad client secret into a clear failure', async () => {
    const sb = await start();
    const source = billingSource(sb, { clientSecret: 'wrong-client-secret-value' });
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error).toMatchObject({
      code: 'OAUTH2_TOKEN_REJECTED',
      serverError: 'invalid_client',
      status: 200,
    });
    expect(error.message).toContain(`to ${sb.tokenUrl} was refused`);
    expect(error.message).toContain('Check client_id and client_secret');
    expectNoSecrets(error, [...secretsOf(sb), 'wrong-client-secret-value']);
  });

  it('explains the per-refresh-token limit (Access Denied) once it is reached', async () => {
    const sb = await start({ tokenLimit: { count: 2, windowSeconds: 600 } });
    const source = billingSource(sb);
    for (let i = 0; i < 2; i++) {
      await source.getAccessToken();
      source.invalidate();
    }
    const error = (await rejection(source.getAccessToken())) as OAuth2Error;
    expect(error).toMatchObject({
      code: 'OAUTH2_TOKEN_REJECTED',
      serverError: 'Access Denied',
      retriable: true,
    });
    expect(error.message).toContain('too many requests');
    expect(error.message).toContain('limits how many access tokens one refresh token may get');
    expect(sb.stats().tokensIssued).toBe(2);
  });

  it('follows refresh-token rotation and hands each new token to onRefreshToken', async () => {
    const sb = await start({ rotateRefreshToken: true });
    const persisted: string[] = [];
    const source = billingSource(sb, { onRefreshToken: (token) => void persisted.push(token) });
    for (let i = 0; i < 3; i++) {
      expect(await getInvoices(sb, await source.authorizationHeader())).toBe(200);
      source.invalidate();
    }
    expect(persisted).toHaveLength(3);
    const stale = (await rejection(billingSource(sb).getAccessToken())) as OAuth2Error;
    expect(stale.serverError).toBe('invalid_code');
    const current = billingSource(sb, { refreshToken: persisted.at(-1) });
    expect(await getInvoices(sb, await current.authorizationHeader())).toBe(200);
  });

  it('makes exactly one token request for 100 parallel requests with an expired token', async () => {
    // The token source and the sandbox share one clock: past the refresh point, not yet expired.
    const clock = manualClock();
    const sb = await start({ tokenTtlSeconds: 2, now: clock.now });
    const auth = new OAuth2AuthProvider(billingSource(sb, { now: clock.now }));
    await auth.apply({ url: new URL(`${sb.billingUrl}/invoices`), headers: new Headers() });
    clock.advance(1_100);
    const before = sb.stats().tokensIssued;
    const headers = Array.from({ length: 100 }, () => new Headers());
    await Promise.all(
      headers.map((h, i) =>
        auth.apply({ url: new URL(`${sb.billingUrl}/invoices?page=${i + 1}`), headers: h }),
      ),
    );
    expect(sb.stats().tokensIssued - before).toBe(1);
    const values = new Set(headers.map((h) => h.get('authorization')));
    expect(values.size).toBe(1);
    expect(await getInvoices(sb, [...values][0]!)).toBe(200);
  });

  it("retries the token endpoint's 503s through core's retrying fetch", async () => {
    const sb = await start({ faults: [{ api: 'accounts', kind: 'status', status: 503, count: 2 }] });
    const source = billingSource(sb, { fetch: createRetryingFetch({ retry: quickRetries }) });
    expect(await getInvoices(sb, await source.authorizationHeader())).toBe(200);
    expect(sb.stats().byStatus['503']).toBe(2);
    expect(sb.stats().tokensIssued).toBe(1);
  });

  it('recovers once when the API reports the token expired (401, code 57) before the cache does', async () => {
    const server = manualClock();
    const sb = await start({ tokenTtlSeconds: 1, now: server.now });
    // A clock that stands still: the cache never sees the token age, only the API's 401 can.
    const frozen = Date.now();
    const auth = new OAuth2AuthProvider(billingSource(sb, { now: () => frozen }));
    const client = new ApiClient({
      baseUrl: sb.billingUrl,
      transport: new HttpTransport({ retry: quickRetries }),
      auth,
    });
    await client.request({ method: 'GET', url: `${sb.billingUrl}/invoices`, params: { page: '1' } });
    server.advance(1_100);
    const result = await client.request({
      method: 'GET',
      url: `${sb.billingUrl}/invoices`,
      params: { page: '2' },
    });
    expect(result.status).toBe(200);
    expect(sb.stats().byStatus['401']).toBe(1);
    expect(sb.stats().tokensIssued).toBe(2);
  });
});
