import { afterEach, describe, expect, it, vi } from 'vitest';
import { OAuth2AuthProvider, OAuth2Error, OAuth2TokenSource } from '../src/index.js';
import { expectNoSecrets, rejection } from './helpers/leaks.js';
import { startTokenStub, type TokenStub, tokenReply } from './helpers/token-stub.js';

let stub: TokenStub | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await stub?.close();
  stub = undefined;
});

async function provider(headerScheme?: string) {
  let n = 0;
  stub = await startTokenStub(() => tokenReply(`access-${++n}`));
  const source = new OAuth2TokenSource({
    tokenUrl: stub.url,
    clientId: 'id',
    clientSecret: 'secret-abc-123',
    refreshToken: 'refresh-abc-123',
    allowInsecureHttp: true,
    headerScheme,
  });
  return { auth: new OAuth2AuthProvider(source), stub };
}

async function send(auth: OAuth2AuthProvider, url: string): Promise<string | null> {
  const headers = new Headers();
  await auth.apply({ url: new URL(url), headers });
  return headers.get('authorization');
}

describe('OAuth2AuthProvider', () => {
  it('sets the Authorization header with the configured scheme', async () => {
    const { auth } = await provider('Zoho-oauthtoken');
    expect(await send(auth, 'https://api.example.com/invoices?page=1')).toBe('Zoho-oauthtoken access-1');
  });

  it('drops the token once per burst of 401s, and refuses a retry that fails again', async () => {
    const { auth, stub } = await provider();
    const urls = [1, 2, 3].map((p) => `https://api.example.com/invoices?page=${p}`);
    for (const url of urls) expect(await send(auth, url)).toBe('Bearer access-1');

    expect(await auth.onUnauthorized({ status: 401, url: urls[0]! })).toBe(true);
    expect(await send(auth, urls[0]!)).toBe('Bearer access-2');
    // Late 401s for requests sent with access-1 retry without throwing access-2 away.
    expect(await auth.onUnauthorized({ status: 401, url: urls[1]! })).toBe(true);
    expect(await auth.onUnauthorized({ status: 401, url: urls[2]! })).toBe(true);
    expect(await send(auth, urls[1]!)).toBe('Bearer access-2');
    expect(stub.requests).toHaveLength(2);

    // The retry of page 1 carried the fresh access-2 and was refused as well.
    expect(await auth.onUnauthorized({ status: 401, url: urls[0]! })).toBe(false);
    // A later, separate request for the same URL starts afresh.
    expect(await send(auth, urls[0]!)).toBe('Bearer access-2');
    expect(await auth.onUnauthorized({ status: 401, url: urls[0]! })).toBe(true);
    expect(await send(auth, urls[0]!)).toBe('Bearer access-3');
  });

  it('for a 401 on a URL it never sent, drops only a token that has been in use for a while', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { auth, stub } = await provider();
    await send(auth, 'https://api.example.com/a');
    expect(await auth.onUnauthorized({ status: 401, url: 'https://api.example.com/redirected' })).toBe(true);
    expect(await send(auth, 'https://api.example.com/a')).toBe('Bearer access-1');
    vi.advanceTimersByTime(1_000);
    expect(await auth.onUnauthorized({ status: 401, url: 'https://api.example.com/redirected' })).toBe(true);
    expect(await send(auth, 'https://api.example.com/a')).toBe('Bearer access-2');
    expect(stub.requests).toHaveLength(2);
  });

  it('lets a token failure reach the caller as a clear OAuth2Error', async () => {
    stub = await startTokenStub(() => ({ status: 200, body: { error: 'invalid_client' } }));
    const auth = new OAuth2AuthProvider(
      new OAuth2TokenSource({
        tokenUrl: stub.url,
        clientId: 'id',
        clientSecret: 'secret-abc-123',
        refreshToken: 'refresh-abc-123',
        allowInsecureHttp: true,
      }),
    );
    const error = (await rejection(send(auth, 'https://api.example.com/a'))) as OAuth2Error;
    expect(OAuth2Error.isInstance(error)).toBe(true);
    expect(error.message).toContain(`refresh_token token request to ${stub.url} was refused`);
    expect(error.message).toContain('"invalid_client"');
    expectNoSecrets(error, ['secret-abc-123', 'refresh-abc-123']);
  });

  it('describes itself without secrets', async () => {
    const { auth } = await provider();
    expect(auth.describe()).toMatch(/^oauth2\(refresh_token @ 127\.0\.0\.1:\d+\)$/);
  });
});
