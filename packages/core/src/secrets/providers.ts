import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SiphonError } from '../errors/siphon-error.js';

/** Where secret values come from. `describe` says where it looks, for "not found" errors. */
export interface SecretsProvider {
  get(name: string): Promise<string | undefined>;
  /** Places searched for `name`, e.g. `environment variables API_KEY, SOURCES__API_KEY`. */
  describe?(name: string): string;
}

export interface EnvSecretsOptions {
  env?: Record<string, string | undefined>;
  /** Source name for the most specific dlt form `SOURCES__<SOURCE>__<KEY>`. */
  sourceName?: string | undefined;
}

/** dlt's env naming: upper case, and `.` (dlt's section separator) becomes `__`. */
function envName(name: string): string {
  return name.replace(/\./g, '__').toUpperCase();
}

/**
 * Environment variables, most specific first like dlt: `SOURCES__<SOURCE>__<KEY>`,
 * `SOURCES__<KEY>`, then `<KEY>`.
 */
export function envSecrets(options: EnvSecretsOptions = {}): SecretsProvider {
  const env = options.env ?? process.env;
  const candidates = (name: string): string[] => {
    const key = envName(name);
    const names = [`SOURCES__${key}`, key];
    if (options.sourceName) names.unshift(`SOURCES__${envName(options.sourceName)}__${key}`);
    return names;
  };
  return {
    async get(name) {
      for (const candidate of candidates(name)) {
        const value = env[candidate];
        if (value !== undefined && value !== '') return value;
      }
      return undefined;
    },
    describe: (name) => `environment variables ${candidates(name).join(', ')}`,
  };
}

export interface FileSecretsOptions {
  /** Defaults to `$SIPHON_SECRETS_DIR`, else `/run/secrets` (Docker and Kubernetes convention). */
  dir?: string;
}

/** One file per secret in a directory, named like the key; one trailing newline is dropped. */
export function fileSecrets(options: FileSecretsOptions = {}): SecretsProvider {
  const dir = options.dir ?? process.env.SIPHON_SECRETS_DIR ?? '/run/secrets';
  const fileFor = (name: string): string | undefined =>
    // A key must not escape the directory.
    /^[\w.-]+$/.test(name) && !name.startsWith('.') ? path.join(dir, name) : undefined;
  return {
    async get(name) {
      const file = fileFor(name);
      if (!file) return undefined;
      try {
        return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new SiphonError(`Cannot read secret file ${file}: ${(error as NodeJS.ErrnoException).code}`, {
          code: 'SECRET_FILE_UNREADABLE',
          cause: error,
        });
      }
    },
    describe: (name) => {
      const file = fileFor(name);
      return file ? `secret file ${file}` : `secret files in ${dir} (key not a valid file name)`;
    },
  };
}

/** A fixed map, for tests and for TS users who already hold the values. */
export function staticSecrets(values: Record<string, string>, label = 'static secrets'): SecretsProvider {
  const map = new Map(Object.entries(values));
  return {
    async get(name) {
      return map.get(name);
    },
    describe: () => label,
  };
}

/** Asks each provider in turn; the first value found wins. */
export function chainSecrets(providers: readonly SecretsProvider[]): SecretsProvider {
  return {
    async get(name) {
      for (const provider of providers) {
        const value = await provider.get(name);
        if (value !== undefined) return value;
      }
      return undefined;
    },
    describe: (name) => providers.map((p) => p.describe?.(name) ?? 'a custom secrets provider').join('; '),
  };
}

/** The default chain: environment variables, then secret files. */
export function defaultSecrets(options: { sourceName?: string } = {}): SecretsProvider {
  return chainSecrets([envSecrets({ sourceName: options.sourceName }), fileSecrets()]);
}
