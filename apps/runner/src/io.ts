import { Redaction } from '@siphon/core';

type Stream = { write(text: string, callback?: () => void): unknown; isTTY?: boolean; columns?: number };

/** Where a command writes and what it reads from its environment; tests pass their own. */
export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  /**
   * The secrets this process knows (secret-named environment values, then the pipelines file's
   * secrets and tokens): `processIo` masks them in everything written to stdout and stderr.
   */
  redaction?: Redaction;
}

export function processIo(): Io {
  const redaction = new Redaction().addEnv(process.env);
  return {
    stdout: redacting(process.stdout, redaction),
    stderr: redacting(process.stderr, redaction),
    env: process.env,
    redaction,
  };
}

/** A stream whose every write is masked: the CLI's output boundary (command output, logs, errors). */
function redacting(stream: NodeJS.WriteStream, redaction: Redaction): Stream {
  return {
    write: (text: string, callback?: () => void) => stream.write(redaction.text(text), callback),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}
