import { describe, expect, it } from 'vitest';
import { looksSecret, looksSecretEnvName, Redaction, redact } from '../../src/index.js';

describe('looksSecret: the one rule for secret names', () => {
  it('recognises names that hold secrets, and not the ones that describe them', () => {
    for (const name of [
      'password',
      'client_secret',
      'refresh_token',
      'X-Api-Key',
      'apikey',
      'Authorization',
      'key',
    ])
      expect(looksSecret(name), name).toBe(true);
    for (const name of [
      'token_url',
      'token_type',
      'expires_in',
      'primary_key',
      'session_timeout',
      'name',
      'code',
      'url',
    ])
      expect(looksSecret(name), name).toBe(false);
    expect(looksSecretEnvName('ANALYTICS_API_KEY')).toBe(true);
    expect(looksSecretEnvName('KAFKA_PASS')).toBe(true);
    expect(looksSecretEnvName('PWD')).toBe(false);
    expect(looksSecretEnvName('HOME')).toBe(false);
  });
});

describe('Redaction', () => {
  it('masks known values raw, URL-encoded and JSON-escaped, the longest first', () => {
    const r = new Redaction().add('s3cr3t/+value').add('s3cr3t').add('ab');
    expect(r.text('a s3cr3t/+value b')).toBe('a [redacted] b');
    expect(r.text(`q=${encodeURIComponent('s3cr3t/+value')}`)).toBe('q=[redacted]');
    expect(r.text('ab cd')).toBe('ab cd');
    const quoted = new Redaction().add('x"y\\z1');
    expect(quoted.text(JSON.stringify({ m: 'x"y\\z1' }))).toBe('{"m":"[redacted]"}');
  });

  it('masks credentials by shape: auth headers, user-info, secret params, JSON fields and echoed headers', () => {
    expect(redact('sent Bearer abc.def.ghi')).toBe('sent Bearer [redacted]');
    expect(redact('http://user:hunter22@host:8081/apis')).toBe('http://user:[redacted]@host:8081/apis');
    expect(redact('GET /v1?page=2&access_token=xyz123&sig=abcd')).toBe(
      'GET /v1?page=2&access_token=[redacted]&sig=[redacted]',
    );
    expect(redact('{"X-Api-Key":"k-123456","page":2}')).toBe('{"X-Api-Key":"[redacted]","page":2}');
    expect(redact('echo: x-api-key: k-123456, accept: json')).toBe(
      'echo: x-api-key: [redacted], accept: json',
    );
    expect(redact('authorization: Basic dXNlcjpwYXNz')).toBe('authorization: Basic [redacted]');
    expect(redact('token_url=https://t.test/token page 2')).toBe('token_url=https://t.test/token page 2');
    expect(redact('the refresh_token token request to the server')).toBe(
      'the refresh_token token request to the server',
    );
    expect(redact('{"refresh_token":"[encrypted]"}')).toBe('{"refresh_token":"[encrypted]"}');
  });

  it('masks a query param named by the config, and keeps only the last access tokens', () => {
    const r = new Redaction().addQueryParam('k');
    expect(r.url('https://api.test/x?k=abcdef&page=1')).toBe('https://api.test/x?k=[redacted]&page=1');
    for (let i = 0; i < 20; i++) r.addTransient(`access-token-${i}`);
    expect(r.text('access-token-19')).toBe('[redacted]');
    expect(r.text('access-token-0')).toBe('access-token-0');
  });

  it('copies JSON with secret-named values, keys and strings masked', () => {
    const r = new Redaction().add('known-secret');
    const out = r.object({
      ready: false,
      checks: { 'registry http://u:pw-12345@r.test': { ok: false, detail: 'refused known-secret' } },
      auth: { type: 'bearer', token: 'tkn-123456' },
      count: 3,
    });
    expect(out).toEqual({
      ready: false,
      checks: { 'registry http://u:[redacted]@r.test': { ok: false, detail: 'refused [redacted]' } },
      auth: { type: 'bearer', token: '[redacted]' },
      count: 3,
    });
  });
});
