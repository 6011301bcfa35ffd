#!/usr/bin/env node
import { CommanderError } from 'commander';
import { runCli } from './cli/main.js';

async function main(): Promise<void> {
  let running: Awaited<ReturnType<typeof runCli>>;
  try {
    running = await runCli(process.argv.slice(2), { stdout: (text) => process.stdout.write(text) });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`siphon-sandbox: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const stop = (signal: NodeJS.Signals) => {
    running.logger.info({ signal }, 'shutting down');
    running.sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`siphon-sandbox: error while closing: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
