import type { LevelWithSilent } from 'pino';
import { loadPipelinesFile, type PipelinesFile } from './config/load.js';
import type { PipelineConfig } from './config/schema.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { createLogger, type Logger } from './logging/logger.js';
import { SecretValues } from './logging/secret-values.js';
import type { CommonOptions } from './program.js';

export interface CommandContext {
  file: PipelinesFile;
  /** The pipelines selected with --pipeline (all by default). */
  pipelines: PipelineConfig[];
  secrets: SecretValues;
  logger: Logger;
}

/** Loads the pipelines file, selects pipelines and sets up redacting logs: what every command needs first. */
export async function loadContext(
  options: CommonOptions,
  io: Io,
  logDestination: { write(line: string): unknown } = io.stderr,
): Promise<CommandContext> {
  const file = await loadPipelinesFile(options.config, { env: io.env });
  const secrets = new SecretValues();
  secrets.addAll(file.secretValues);
  const logger = createLogger({
    level: options.logLevel as LevelWithSilent,
    secrets,
    destination: logDestination,
  });
  return { file, pipelines: selectPipelines(file, options.pipeline), secrets, logger };
}

function selectPipelines(file: PipelinesFile, names: string[] | undefined): PipelineConfig[] {
  if (!names || names.length === 0) return file.pipelines;
  const known = file.pipelines.map((p) => p.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--pipeline: no pipeline named ${unknown.join(', ')} in ${file.file} (it has ${known.join(', ')})`,
    );
  }
  return file.pipelines.filter((p) => names.includes(p.name));
}
