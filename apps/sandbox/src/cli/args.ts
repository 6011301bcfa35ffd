import { Command, InvalidArgumentError, Option } from 'commander';
import { type Fault, type FaultJson, faultFromJson } from '../faults.js';
import type { SandboxOptions } from '../options.js';
import { LOG_LEVELS, type LogLevel, loadConfigFile } from './config-file.js';

export const DEFAULT_PORT = 8787;

export interface CliConfig {
  options: Omit<SandboxOptions, 'logger'>;
  logLevel: LogLevel;
}

function integer(what: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`${what} must be an integer from ${min} to ${max}, got '${value}'`);
    }
    return n;
  };
}

/** `600/60` → { first: 600, second: 60 } */
function ratio(what: string, example: string) {
  return (value: string): [number, number] => {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
      throw new InvalidArgumentError(`${what} must look like ${example}, got '${value}'`);
    }
    return [Number(match[1]), Number(match[2])];
  };
}

function sizeOf(value: string, previous: string[] = []): string[] {
  if (!/^(billing|analytics)\.[\w/]+=\d+$/.test(value.trim())) {
    throw new InvalidArgumentError(
      `--size-of must look like billing.invoices=1000000 or analytics.fees=0, got '${value}'`,
    );
  }
  return [...previous, value.trim()];
}

function fault(value: string, previous: Fault[] = []): Fault[] {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(
      `--fault must be a JSON object such as '{"kind":"status","status":503}', got '${value}'`,
    );
  }
  try {
    return [...previous, faultFromJson(json as FaultJson, previous.length)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^faults\[\d+\]/, '--fault'));
  }
}

export function buildProgram(): Command {
  return new Command('siphon-sandbox')
    .description(
      'Local emulators of the billing and analytics APIs (three origins: billing, analytics, accounts)',
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--port <port>',
      `billing port; analytics = port+1, accounts = port+2 (default ${DEFAULT_PORT}; 0 = random)`,
      integer('--port', 0, 65535),
    )
    .option('--analytics-port <port>', 'analytics port', integer('--analytics-port', 0, 65535))
    .option('--accounts-port <port>', 'accounts (token endpoint) port', integer('--accounts-port', 0, 65535))
    .option('--seed <n>', 'data seed (default 42)', integer('--seed', 0))
    .option('--size <n>', 'records per resource (default 250)', integer('--size', 0))
    .option(
      '--size-of <api.resource=n>',
      'size of one resource, repeatable (billing.invoices=1000000)',
      sizeOf,
    )
    .option('--latency-ms <ms>', 'delay added to every API response', integer('--latency-ms', 0))
    .option(
      '--rate-limit <requests/seconds>',
      'per-API request limit, e.g. 600/60',
      ratio('--rate-limit', '600/60'),
    )
    .option('--token-ttl <seconds>', 'access-token lifetime (default 3600)', integer('--token-ttl', 1))
    .option(
      '--token-limit <count/seconds>',
      'tokens per refresh token per window (default 10/600)',
      ratio('--token-limit', '10/600'),
    )
    .option('--rotate-refresh-token', 'each token grant returns a new refresh_token and revokes the old one')
    .option(
      '--organization-id <id>',
      'require this X-com-zoho-subscriptions-organizationid on billing requests',
    )
    .option('--fault <json>', 'a fault rule as JSON, repeatable', fault)
    .option('--config <file>', 'JSON or YAML file with the same keys as the library options (+ logLevel)')
    .addOption(
      new Option('--log-level <level>', 'log level (requests are logged at debug)').choices(LOG_LEVELS),
    )
    .showHelpAfterError();
}

interface ParsedFlags {
  host: string;
  port?: number;
  analyticsPort?: number;
  accountsPort?: number;
  seed?: number;
  size?: number;
  sizeOf?: string[];
  latencyMs?: number;
  rateLimit?: [number, number];
  tokenTtl?: number;
  tokenLimit?: [number, number];
  rotateRefreshToken?: boolean;
  organizationId?: string;
  fault?: Fault[];
  config?: string;
  logLevel?: LogLevel;
}

/** Flags override the config file, which overrides defaults. */
export async function resolveCliConfig(program: Command): Promise<CliConfig> {
  const flags = program.opts<ParsedFlags>();
  const file = flags.config ? await loadConfigFile(flags.config) : { options: {}, logLevel: undefined };
  const options: Omit<SandboxOptions, 'logger'> = { ...file.options };
  const hostFromFlag = program.getOptionValueSource('host') === 'cli';
  if (hostFromFlag || !options.host) options.host = flags.host;

  const filePorts = options.ports ?? {};
  const base = flags.port ?? filePorts.billing ?? DEFAULT_PORT;
  const next = (offset: number) => (base === 0 ? 0 : base + offset);
  options.ports = {
    billing: base,
    analytics: flags.analyticsPort ?? (flags.port === undefined ? filePorts.analytics : undefined) ?? next(1),
    accounts: flags.accountsPort ?? (flags.port === undefined ? filePorts.accounts : undefined) ?? next(2),
  };
  if (flags.seed !== undefined) options.seed = flags.seed;
  if (flags.size !== undefined) options.size = flags.size;
  for (const entry of flags.sizeOf ?? []) {
    const [key, count] = entry.split('=') as [string, string];
    const dot = key.indexOf('.');
    const api = key.slice(0, dot) as 'billing' | 'analytics';
    const resource = key.slice(dot + 1);
    options.sizes = { ...options.sizes, [api]: { ...options.sizes?.[api], [resource]: Number(count) } };
  }
  if (flags.latencyMs !== undefined) options.latencyMs = flags.latencyMs;
  if (flags.rateLimit)
    options.rateLimit = { requests: flags.rateLimit[0], windowSeconds: flags.rateLimit[1] };
  if (flags.tokenTtl !== undefined) options.tokenTtlSeconds = flags.tokenTtl;
  if (flags.tokenLimit)
    options.tokenLimit = { count: flags.tokenLimit[0], windowSeconds: flags.tokenLimit[1] };
  if (flags.rotateRefreshToken) options.rotateRefreshToken = true;
  if (flags.organizationId !== undefined) options.organizationId = flags.organizationId;
  if (flags.fault) options.faults = [...(options.faults ?? []), ...flags.fault];
  return { options, logLevel: flags.logLevel ?? file.logLevel ?? 'info' };
}
