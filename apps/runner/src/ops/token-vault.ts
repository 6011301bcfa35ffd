import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ResourceState, StateKey, StateStore } from '@siphon/core';
import { SiphonError } from '@siphon/core';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Reads the AES-256 key from `SIPHON_STATE_KEY`: 32 bytes as 64 hex digits or as base64.
 * Returns undefined when the variable is unset; throws when it is set but unusable.
 */
export function stateKeyFromEnv(env: Record<string, string | undefined> = process.env): Buffer | undefined {
  const text = env.SIPHON_STATE_KEY?.trim();
  if (!text) return undefined;
  const isHex = /^[0-9a-fA-F]{64}$/.test(text);
  const key = isHex ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  const wellFormed = isHex || key.toString('base64').replace(/=+$/, '') === text.replace(/=+$/, '');
  if (key.length !== 32 || !wellFormed) {
    throw new SiphonError(
      'SIPHON_STATE_KEY must be 32 random bytes, as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)',
      { code: 'STATE_KEY_INVALID' },
    );
  }
  return key;
}

/** AES-256-GCM; `context` is bound as associated data, so a value cannot be moved to another entry. */
export function encrypt(plaintext: string, key: Buffer, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function decrypt(sealed: string, key: Buffer, context: string): string {
  const [version, payload] = sealed.split(':', 2);
  if (version !== VERSION || !payload) throw vaultError(`unsupported encrypted value (expected ${VERSION})`);
  const raw = Buffer.from(payload, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw vaultError('encrypted value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw vaultError('cannot decrypt: wrong SIPHON_STATE_KEY or tampered value');
  }
}

/** The state entry that holds a pipeline's rotated refresh token, beside its resources' entries. */
export const TOKEN_RESOURCE = '_oauth2_refresh_token';

export function tokenStateKey(pipeline: string, source: string): StateKey {
  return { pipeline, source, resource: TOKEN_RESOURCE };
}

export interface StoredAccessToken {
  accessToken: string;
  expiresAt: number;
  scope?: string | undefined;
}

export interface StoredToken {
  token: string;
  origin: string;
}

/**
 * Keeps a rotated OAuth refresh token in the state store, encrypted. Without a key it keeps the
 * token in memory only (the caller warns), so a restart falls back to the configured token.
 */
export class TokenVault {
  readonly #store: StateStore | (() => StateStore);
  readonly #key: Buffer | undefined;
  readonly #memory = new Map<string, StoredToken>();

  /** `store` may be a function, so that a store is only opened once a token is stored or read. */
  constructor(store: StateStore | (() => StateStore), key: Buffer | undefined) {
    this.#store = store;
    this.#key = key;
  }

  get #backing(): StateStore {
    return typeof this.#store === 'function' ? this.#store() : this.#store;
  }

  get persistent(): boolean {
    return this.#key !== undefined;
  }

  /**
   * The stored token and the `origin` it was saved with (an id of the configured token its
   * lineage started from, so a newly configured token wins over an old rotated one).
   */
  async load(pipeline: string, source: string): Promise<StoredToken | undefined> {
    const id = `${pipeline}/${source}`;
    const cached = this.#memory.get(id);
    if (cached !== undefined || !this.#key) return cached;
    const state = await this.#backing.get(tokenStateKey(pipeline, source));
    const sealed = state?.refresh_token;
    if (typeof sealed !== 'string') return undefined;
    return {
      token: decrypt(sealed, this.#key, id),
      origin: typeof state?.origin === 'string' ? state.origin : '',
    };
  }

  async save(pipeline: string, source: string, refreshToken: string, origin = ''): Promise<void> {
    const id = `${pipeline}/${source}`;
    this.#memory.set(id, { token: refreshToken, origin });
    if (!this.#key) return;
    const state: ResourceState = {
      refresh_token: encrypt(refreshToken, this.#key, id),
      origin,
      rotated_at: new Date().toISOString(),
    };
    // A new refresh token lineage: an access token kept from the old one is dropped with it.
    await this.#backing.set(tokenStateKey(pipeline, source), state);
  }

  /**
   * The access token an earlier process kept, with the `origin` (id of the refresh token) it was
   * issued for. Only with a key: access tokens are never stored in clear.
   */
  async loadAccessToken(
    pipeline: string,
    source: string,
  ): Promise<{ token: StoredAccessToken; origin: string } | undefined> {
    if (!this.#key) return undefined;
    const id = `${pipeline}/${source}`;
    const state = await this.#backing.get(tokenStateKey(pipeline, source));
    const sealed = state?.access_token;
    if (typeof sealed !== 'string') return undefined;
    try {
      const token = JSON.parse(decrypt(sealed, this.#key, `${id}#access`)) as StoredAccessToken;
      if (typeof token.accessToken !== 'string' || typeof token.expiresAt !== 'number') return undefined;
      return { token, origin: typeof state?.access_origin === 'string' ? state.access_origin : '' };
    } catch {
      // Another key, or a tampered value: a new token is fetched instead.
      return undefined;
    }
  }

  /** Keeps an access token encrypted beside the refresh token, so a restart reuses it while valid. */
  async saveAccessToken(
    pipeline: string,
    source: string,
    token: StoredAccessToken,
    origin = '',
  ): Promise<void> {
    if (!this.#key) return;
    const id = `${pipeline}/${source}`;
    const key = tokenStateKey(pipeline, source);
    const previous = (await this.#backing.get(key)) ?? {};
    await this.#backing.set(key, {
      ...previous,
      access_token: encrypt(JSON.stringify(token), this.#key, `${id}#access`),
      access_origin: origin,
    });
  }
}

function vaultError(message: string): SiphonError {
  return new SiphonError(message, { code: 'STATE_DECRYPT_FAILED' });
}
