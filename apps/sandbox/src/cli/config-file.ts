import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type Fault, type FaultJson, faultFromJson } from '../faults.js';
import { describeZodError, plainOptionsSchema, type SandboxOptions } from '../options.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const configSchema = plainOptionsSchema.extend({
  faults: z.array(z.record(z.string(), z.unknown())).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
});

export interface FileConfig {
  options: Omit<SandboxOptions, 'logger'>;
  logLevel?: LogLevel | undefined;
}

/** Reads a JSON or YAML config file holding the same keys as `startSandbox` options (+ `logLevel`). */
export async function loadConfigFile(file: string): Promise<FileConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    raw = parseYaml(text);
  } catch (error) {
    throw new Error(`config file ${file} is neither valid JSON nor YAML: ${(error as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new Error(describeZodError(parsed.error, `invalid config file ${file}`));
  const { faults, logLevel, ...options } = parsed.data;
  let converted: Fault[] | undefined;
  if (faults) {
    try {
      converted = faults.map((json, position) => faultFromJson(json as unknown as FaultJson, position));
    } catch (error) {
      throw new Error(`invalid config file ${file}: ${(error as Error).message}`);
    }
  }
  return { options: converted ? { ...options, faults: converted } : options, logLevel };
}
