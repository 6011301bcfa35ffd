import { type Logger, pino } from 'pino';
import { type Sandbox, startSandbox } from '../sandbox.js';
import { buildProgram, type CliConfig, resolveCliConfig } from './args.js';

export interface CliIo {
  stdout: (text: string) => void;
  /** Where pino writes (defaults to stderr, keeping stdout for the banner). */
  logDestination?: NodeJS.WritableStream;
}

export function banner(sandbox: Sandbox, config: CliConfig): string {
  const { credentials } = sandbox;
  const sizes = Object.entries(config.options.sizes ?? {}).flatMap(([api, entries]) =>
    Object.entries(entries ?? {}).map(([resource, n]) => `${api}.${resource}=${n}`),
  );
  return [
    `siphon-sandbox: seed ${config.options.seed ?? 42}, ${config.options.size ?? 250} records per resource${
      sizes.length > 0 ? ` (${sizes.join(', ')})` : ''
    }`,
    `  billing    ${sandbox.billingUrl}`,
    `  analytics  ${sandbox.analyticsUrl}`,
    `  token URL  ${sandbox.tokenUrl}`,
    'credentials',
    `  client_id      ${credentials.clientId}`,
    `  client_secret  ${credentials.clientSecret}`,
    `  refresh_token  ${credentials.refreshToken}`,
    `  api_key        ${credentials.apiKey}`,
    `control: ${sandbox.billingUrl}/_sandbox (faults, mutate, ground-truth, digest, stats)`,
    '',
  ].join('\n');
}

/** Parses argv (without the node and script entries), starts the sandbox, prints where it is. */
export async function runCli(argv: string[], io: CliIo): Promise<{ sandbox: Sandbox; logger: Logger }> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeOut: io.stdout, writeErr: io.stdout });
  // `pnpm start -- --port 0` passes the `--` through; it is not an argument here.
  program.parse(argv[0] === '--' ? argv.slice(1) : argv, { from: 'user' });
  const config = await resolveCliConfig(program);
  const logger = pino(
    { level: config.logLevel, base: { name: 'siphon-sandbox' } },
    io.logDestination ?? pino.destination(2),
  );
  const sandbox = await startSandbox({ ...config.options, logger });
  io.stdout(banner(sandbox, config));
  return { sandbox, logger };
}
