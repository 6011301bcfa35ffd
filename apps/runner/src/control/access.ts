import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** Who may read (`GET`) the control plane: loopback callers only (default), anyone, or token holders. */
export type ReadAccess = 'loopback' | 'open' | 'token';

export interface AccessConfig {
  /** The bearer token of mutating endpoints; without it they are off. */
  token: string | undefined;
  read: ReadAccess;
}

/**
 * The access rules from the environment: `SIPHON_API_TOKEN`, or `SIPHON_API_TOKEN_FILE` (a mounted
 * secret; surrounding whitespace ignored), and `SIPHON_API_READ`.
 */
export function accessFromEnv(env: Record<string, string | undefined>): AccessConfig {
  let token = env.SIPHON_API_TOKEN || undefined;
  const file = env.SIPHON_API_TOKEN_FILE;
  if (!token && file) {
    try {
      token = readFileSync(file, 'utf8').trim() || undefined;
    } catch (error) {
      throw new UsageError(
        `SIPHON_API_TOKEN_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    if (!token) throw new UsageError(`SIPHON_API_TOKEN_FILE: ${file} is empty`);
  }
  if (token !== undefined && token.length < 16) {
    throw new UsageError('SIPHON_API_TOKEN: use at least 16 characters (e.g. `openssl rand -hex 24`)');
  }
  const read = (env.SIPHON_API_READ || 'loopback') as ReadAccess;
  if (!['loopback', 'open', 'token'].includes(read)) {
    throw new UsageError(`SIPHON_API_READ: expected loopback, open or token, got "${read}"`);
  }
  return { token, read };
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** The request carries the configured bearer token (compared in constant time). */
export function hasToken(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return false;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1';
}

export function mayRead(req: IncomingMessage, access: AccessConfig): Verdict {
  if (access.read === 'open' || hasToken(req, access.token)) return { ok: true };
  if (access.read === 'loopback' && isLoopback(req.socket.remoteAddress)) return { ok: true };
  const how =
    access.read === 'token'
      ? 'send the API token as "Authorization: Bearer <token>"'
      : 'call from the loopback address (e.g. kubectl port-forward), send the API token, or set SIPHON_API_READ=open';
  return { ok: false, status: access.token ? 401 : 403, message: `reading the control plane: ${how}` };
}

export function mayWrite(req: IncomingMessage, access: AccessConfig): Verdict {
  if (!access.token) {
    return {
      ok: false,
      status: 403,
      message: 'mutating endpoints are off: set SIPHON_API_TOKEN or SIPHON_API_TOKEN_FILE on the runner',
    };
  }
  if (hasToken(req, access.token)) return { ok: true };
  return {
    ok: false,
    status: 401,
    message: 'missing or wrong API token: send "Authorization: Bearer <token>"',
  };
}
