import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restApiSource } from '../../src/engine/source.js';
import { SecretNotFoundError } from '../../src/errors/secret-error.js';
import { chainSecrets, envSecrets, fileSecrets, staticSecrets } from '../../src/secrets/providers.js';
import { resolveSecretRefs } from '../../src/secrets/resolve.js';
import { Secret, SecretRef } from '../../src/secrets/secret.js';
import { sendJson, startServer } from '../helpers/http-server.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'siphon-secrets-'));
  await writeFile(path.join(dir, 'client_secret'), 'from-file\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('providers', () => {
  it('reads env vars in dlt forms, most specific first', async () => {
    const env = envSecrets({
      sourceName: 'billing',
      env: {
        API_KEY: 'plain',
        SOURCES__API_KEY: 'sources',
        SOURCES__BILLING__CLIENT_ID: 'specific',
        CLIENT_ID: 'plain-id',
      },
    });
    expect(await env.get('api_key')).toBe('sources');
    expect(await env.get('client_id')).toBe('specific');
    expect(await env.get('missing')).toBeUndefined();
    expect(await envSecrets({ env: { SOURCES__BILLING__TOKEN: 't' } }).get('sources.billing.token')).toBe(
      't',
    );
  });

  it('reads secret files named like the key, dropping one trailing newline, and refuses path tricks', async () => {
    const files = fileSecrets({ dir });
    expect(await files.get('client_secret')).toBe('from-file');
    expect(await files.get('nope')).toBeUndefined();
    expect(await files.get('../etc/passwd')).toBeUndefined();
  });

  it('chains providers, the first value found winning', async () => {
    const chain = chainSecrets([
      envSecrets({ env: { X: 'env' } }),
      staticSecrets({ x: 'static', y: 'static-y' }),
    ]);
    expect(await chain.get('x')).toBe('env');
    expect(await chain.get('y')).toBe('static-y');
  });
});

describe('Secret', () => {
  it('shows [redacted] when printed, serialised or inspected', () => {
    const secret = new Secret('api_key', 'sk_live_123456');
    const holder = { secret, nested: [secret] };
    for (const text of [String(secret), `${secret}`, JSON.stringify(holder), inspect(holder, { depth: 5 })]) {
      expect(text).not.toContain('sk_live_123456');
      expect(text).toContain('[redacted]');
    }
    expect(secret.reveal()).toBe('sk_live_123456');
  });
});

describe('resolution', () => {
  it('lists every missing key and where it looked, never a value', async () => {
    const config = {
      a: new SecretRef('client_id'),
      b: [new SecretRef('refresh_token')],
      c: new SecretRef('client_secret'),
    };
    const provider = chainSecrets([envSecrets({ env: {} }), fileSecrets({ dir })]);
    const error = (await resolveSecretRefs(config, provider).catch((e: unknown) => e)) as SecretNotFoundError;
    expect(SecretNotFoundError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      [
        'Missing secrets:',
        `  - "client_id": looked in environment variables SOURCES__CLIENT_ID, CLIENT_ID; secret file ${path.join(dir, 'client_id')}`,
        `  - "refresh_token": looked in environment variables SOURCES__REFRESH_TOKEN, REFRESH_TOKEN; secret file ${path.join(dir, 'refresh_token')}`,
      ].join('\n'),
    );
    for (const text of [JSON.stringify(error), inspect(error)]) expect(text).not.toContain('from-file');
  });

  it('keeps resolved values out of errors raised while extracting', async () => {
    const token = 'very-secret-token-value';
    const server = await startServer((_q, res) =>
      sendJson(res, 403, { message: `token ${token} lacks scope` }),
    );
    try {
      const source = restApiSource(
        {
          client: { base_url: server.url, auth: { type: 'bearer', token: 'dlt.secrets["api_key"]' } },
          resources: [
            { name: 'items', endpoint: { path: '/items', params: { key: 'dlt.secrets["api_key"]' } } },
          ],
        },
        { secrets: staticSecrets({ api_key: token }) },
      );
      let error: unknown;
      try {
        for await (const _ of source.resources[0]!.read()) {
          // read until the error
        }
      } catch (e) {
        error = e;
      }
      expect((error as Error).message).toContain('lacks scope');
      for (const text of [(error as Error).message, JSON.stringify(error), inspect(error, { depth: 10 })]) {
        expect(text).not.toContain(token);
      }
      expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${token}`);
      await source.close();
    } finally {
      await server.close();
    }
  });
});
