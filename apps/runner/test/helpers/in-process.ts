import { Redaction } from '@siphon/core';
import { commands } from '../../src/commands/index.js';
import { main } from '../../src/program.js';

/**
 * The CLI's `main` in this process, with the commands and the masked stdout and stderr that
 * `cli.ts` gives it: what a spawned `siphon` prints and exits with, without starting a Node process
 * per case. For paths that end before any I/O beyond reading files (config errors); spawn the real
 * CLI (`runCli`) for the rest, and for a few config errors too.
 */
export async function runMain(args: string[], env: Record<string, string | undefined> = {}) {
  const fullEnv = { ...process.env, SIPHON_LOG_LEVEL: 'info', ...env };
  const redaction = new Redaction().addEnv(fullEnv);
  let stdout = '';
  let stderr = '';
  const code = await main(args, commands, {
    stdout: { write: (text: string) => (stdout += redaction.text(text)) },
    stderr: { write: (text: string) => (stderr += redaction.text(text)) },
    env: fullEnv,
    redaction,
  });
  return { code, stdout, stderr };
}
