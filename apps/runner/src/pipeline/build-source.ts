import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  createOAuth2AuthFactory,
  type OAuth2Settings,
  oauth2Auth,
  oauth2SettingsSchema,
} from '@siphon/auth-oauth2';
import type { Redaction } from '@siphon/core';
import {
  type AuthFactoryContext,
  asError,
  ConfigError,
  chainSecrets,
  defineAuthPlugin,
  type EventBus,
  envSecrets,
  fileSecrets,
  isAuthProvider,
  type NormalizedConfig,
  parseConfigText,
  RestApiSource,
  staticSecrets,
  validateConfig,
} from '@siphon/core';
import type { ParsedSourceConfig, PipelineConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { StoredAccessToken, TokenVault } from '../ops/token-vault.js';
import { sourcePlugins } from '../sources/built-in.js';
import { applyOverrides, packageOptions } from './source-config.js';

export interface BuildSourceOptions {
  events: EventBus;
  secrets: Redaction;
  /** Where rotated refresh tokens are kept; read back in preference to the configured token. */
  vault?: TokenVault;
  /** Told when a rotated refresh token was stored (to log it). */
  onTokenRotated?: (persisted: boolean) => void;
}

/** The source's name in topic names and state keys: the package's name, or the pipeline's. */
export function sourceNameOf(pipeline: PipelineConfig): string {
  return pipeline.source.package ?? pipeline.name;
}

/** The dlt rest_api config of a pipeline (object, or text with its file name for line numbers). */
export async function restApiConfigOf(
  pipeline: PipelineConfig,
): Promise<{ config: Record<string, unknown> | string; configSource?: string }> {
  const { source } = pipeline;
  const where = `pipeline ${pipeline.name}: source`;
  if (source.package !== undefined) {
    const plugin = sourcePlugins.get(source.package, `${where}.package`);
    try {
      return { config: plugin.build(packageOptions(source.options ?? {})) as never };
    } catch (error) {
      throw asUsageError(error, `${where}.options`);
    }
  }
  if (source.rest_api) return { config: applyOverrides(source.rest_api, source.overrides, where) };
  const file = source.rest_api_file as string;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${where}.rest_api_file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (!source.overrides) return { config: text, configSource: file };
  let parsed: unknown;
  try {
    parsed = parseConfigText(text, { source: file }).value;
  } catch (error) {
    throw asUsageError(error, `${where}.rest_api_file`);
  }
  return {
    config: applyOverrides(parsed as Record<string, unknown>, source.overrides, where),
    configSource: file,
  };
}

/**
 * Builds the pipeline's source. Secrets named by `dlt.secrets[...]` come from the pipeline's
 * `secrets:` block first, then the environment (dlt's names), then secret files. OAuth2 refresh
 * tokens that the server rotates are kept in the vault and preferred on the next start.
 */
export async function buildSource(
  pipeline: PipelineConfig,
  options: BuildSourceOptions,
): Promise<RestApiSource> {
  const name = sourceNameOf(pipeline);
  // Read from the vault before the source is built (its auth factory is synchronous).
  let persisted: Awaited<ReturnType<TokenVault['load']>>;
  let kept: Awaited<ReturnType<TokenVault['loadAccessToken']>>;
  let currentOrigin: string | undefined;
  /** The refresh token in use: access tokens are kept and reused per refresh token. */
  let inUse: string | undefined;
  const factoryWith = (cachedAccessToken: StoredAccessToken | undefined) =>
    createOAuth2AuthFactory({
      ...(cachedAccessToken ? { cachedAccessToken } : {}),
      onAccessToken: async (token) => {
        options.secrets.addTransient(token.accessToken);
        await options.vault?.saveAccessToken(pipeline.name, name, token, originOf(inUse));
      },
      onRefreshToken: async (token) => {
        options.secrets.add(token);
        inUse = token;
        await options.vault?.save(pipeline.name, name, token, originOf(currentOrigin));
        options.onTokenRotated?.(options.vault?.persistent ?? false);
      },
    });
  const oauth2 = defineAuthPlugin({
    configSchema: oauth2SettingsSchema,
    create: (settings: OAuth2Settings, context: AuthFactoryContext) => {
      const configured = settings.refreshToken;
      currentOrigin = configured;
      // A stored token is used only while the configured one is the one its lineage started from.
      const usable = persisted && persisted.origin === originOf(configured) ? persisted.token : undefined;
      if (usable) options.secrets.add(usable);
      inUse = usable ?? configured;
      const cached = kept && kept.origin === originOf(inUse) ? kept.token : undefined;
      if (cached) options.secrets.addTransient(cached.accessToken);
      return factoryWith(cached).create(usable ? { ...settings, refreshToken: usable } : settings, context);
    },
  });
  const { config: normalized, configSource } = pipeline.parsedSource ?? (await parseSource(pipeline));
  if (usesOAuth2(normalized)) {
    persisted = await options.vault?.load(pipeline.name, name);
    // An access token kept by an earlier process is reused while valid: a crash-looping pod would
    // otherwise spend the server's token budget (Zoho: 10 per refresh token per 10 minutes).
    kept = await options.vault?.loadAccessToken(pipeline.name, name).catch(() => undefined);
  }
  try {
    const source = new RestApiSource(normalized, {
      name,
      secrets: chainSecrets([
        staticSecrets(pipeline.secrets, `secrets: of pipeline ${pipeline.name}`),
        envSecrets({ sourceName: name }),
        fileSecrets(),
      ]),
      authFactories: { oauth2 },
      events: options.events,
      ...(configSource ? { configSource } : {}),
    });
    checkSelection(pipeline, source);
    return source;
  } catch (error) {
    throw asUsageError(error, `pipeline ${pipeline.name}: source`);
  }
}

/**
 * The source config of a pipeline that `loadPipelinesFile` did not parse (one built in code).
 * An oauth2 block is checked against the plugin's schema here; the source's own plugin builds it.
 */
async function parseSource(pipeline: PipelineConfig): Promise<ParsedSourceConfig> {
  const { config, configSource } = await restApiConfigOf(pipeline);
  try {
    return {
      config: validateConfig(config, {
        authFactories: { oauth2: oauth2Auth },
        ...(configSource ? { source: configSource } : {}),
      }),
      ...(configSource ? { configSource } : {}),
    };
  } catch (error) {
    throw asUsageError(error, `pipeline ${pipeline.name}: source`);
  }
}

/** Whether the parsed config's client authenticates with OAuth2 (read from the config, not its text). */
function usesOAuth2(config: NormalizedConfig): boolean {
  const auth = config.client.auth;
  return auth !== undefined && !isAuthProvider(auth) && auth.type === 'oauth2';
}

/** Identifies a configured refresh token without storing it. */
function originOf(token: string | undefined): string {
  return token ? createHash('sha256').update(token).digest('hex').slice(0, 16) : '';
}

function checkSelection(pipeline: PipelineConfig, source: RestApiSource): void {
  if (!pipeline.resources) return;
  const known = source.resources.map((r) => r.name);
  const unknown = pipeline.resources.filter((r) => !known.includes(r));
  if (unknown.length > 0) {
    throw new UsageError(
      `pipeline ${pipeline.name}: resources: unknown ${unknown.join(', ')} (the source has ${known.join(', ')})`,
    );
  }
}

function asUsageError(error: unknown, where: string): Error {
  if (error instanceof UsageError) return error;
  if (ConfigError.isInstance(error)) return new UsageError(`${where}: ${error.message}`, { cause: error });
  return asError(error);
}
