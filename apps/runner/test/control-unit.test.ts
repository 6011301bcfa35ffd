import { mkdtemp, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redaction } from '@siphon/core';
import { describe, expect, it } from 'vitest';
import { accessFromEnv, isLoopback, mayRead, mayWrite } from '../src/control/access.js';
import { SchedulingGate } from '../src/control/gate.js';
import { redactedJson } from '../src/control/redact.js';

const TOKEN = 'a-token-of-enough-length';
const request = (remoteAddress: string, authorization?: string) =>
  ({
    headers: authorization ? { authorization } : {},
    socket: { remoteAddress },
  }) as unknown as IncomingMessage;

describe('control plane access rules', () => {
  it('reads the token from the environment or a secret file, and checks it', async () => {
    expect(accessFromEnv({})).toEqual({ token: undefined, read: 'loopback' });
    expect(accessFromEnv({ SIPHON_API_TOKEN: TOKEN, SIPHON_API_READ: 'open' })).toEqual({
      token: TOKEN,
      read: 'open',
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'siphon-token-'));
    const file = path.join(dir, 'token');
    await writeFile(file, `${TOKEN}\n`);
    expect(accessFromEnv({ SIPHON_API_TOKEN_FILE: file }).token).toBe(TOKEN);
    expect(() => accessFromEnv({ SIPHON_API_TOKEN_FILE: path.join(dir, 'missing') })).toThrow(
      /cannot read .*missing: ENOENT/,
    );
    expect(() => accessFromEnv({ SIPHON_API_TOKEN: 'short' })).toThrow(/at least 16 characters/);
    expect(() => accessFromEnv({ SIPHON_API_READ: 'everyone' })).toThrow(
      /expected loopback, open or token, got "everyone"/,
    );
  });

  it('lets loopback callers read, and only token holders write', () => {
    const access = { token: TOKEN, read: 'loopback' as const };
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.0.0.7')).toBe(false);
    expect(mayRead(request('127.0.0.1'), access)).toEqual({ ok: true });
    expect(mayRead(request('10.0.0.7'), access)).toMatchObject({ ok: false, status: 401 });
    expect(mayRead(request('10.0.0.7', `Bearer ${TOKEN}`), access)).toEqual({ ok: true });
    expect(mayRead(request('10.0.0.7'), { token: undefined, read: 'loopback' })).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(mayRead(request('10.0.0.7'), { token: undefined, read: 'open' })).toEqual({ ok: true });
    expect(mayRead(request('127.0.0.1'), { token: TOKEN, read: 'token' })).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(mayWrite(request('127.0.0.1'), access)).toMatchObject({ ok: false, status: 401 });
    expect(mayWrite(request('127.0.0.1', `Bearer ${TOKEN}x`), access)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(mayWrite(request('10.0.0.7', `bearer ${TOKEN}`), access)).toEqual({ ok: true });
    expect(
      mayWrite(request('127.0.0.1', `Bearer ${TOKEN}`), { token: undefined, read: 'loopback' }),
    ).toMatchObject({
      ok: false,
      status: 403,
      message: expect.stringContaining('SIPHON_API_TOKEN'),
    });
  });
});

describe('response redaction', () => {
  it('censors secret keys at any depth and scrubs known secret values and credential patterns', () => {
    const secrets = new Redaction();
    secrets.add('s3cr3t-value');
    const text = redactedJson(
      {
        error: 'GET https://api.test/x?api_key=abc123 failed with s3cr3t-value',
        nested: { deeper: { client_secret: 'plain', token: 'tok', ok: 'visible' } },
        header: 'Authorization: Bearer eyJhbGciOi.abc.def',
      },
      secrets,
    );
    expect(JSON.parse(text)).toEqual({
      error: 'GET https://api.test/x?api_key=[redacted] failed with [redacted]',
      nested: { deeper: { client_secret: '[redacted]', token: '[redacted]', ok: 'visible' } },
      header: 'Authorization: Bearer [redacted]',
    });
  });
});

describe('scheduling gate', () => {
  it('holds a paused pipeline, runs it on request, and resumes its schedule', async () => {
    const gate = new SchedulingGate();
    const stop = new AbortController();
    const due = Date.now() + 60_000;
    let turn: unknown;
    const waiting = gate.wait('billing', undefined, due, stop.signal).then((t) => (turn = t));
    expect(gate.nextRunAt('billing')).toBe(due);
    gate.pause('billing');
    expect(gate.nextRunAt('billing')).toBeUndefined();
    expect(gate.request('analytics', undefined)).toEqual([]);
    expect(gate.request('billing', ['invoices'])).toEqual(['*']);
    await waiting;
    expect(turn).toEqual({ manual: true, resources: ['invoices'] });
    expect(gate.waiting('billing')).toEqual([]);

    // Paused and past due: it waits until resumed.
    let resumed = false;
    const second = gate.wait('billing', undefined, Date.now() - 1, stop.signal).then(() => (resumed = true));
    await new Promise((r) => setImmediate(r));
    expect(resumed).toBe(false);
    gate.resume('billing');
    await second;
    expect(resumed).toBe(true);

    // Unit loops are woken one resource at a time.
    const units = ['a', 'b'].map((r) => gate.wait('p', r, Date.now() + 60_000, stop.signal));
    expect(gate.request('p', ['b'])).toEqual(['b']);
    expect(await units[1]).toEqual({ manual: true });
    stop.abort();
    expect(await units[0]).toEqual({ manual: false });
  });
});
