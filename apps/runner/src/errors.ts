import { SiphonError } from '@siphon/core';
/**
 * Errors the CLI turns into an exit code and a one-line reason. Exit codes: 0 ok, 1 runtime
 * failure, 2 bad config or usage.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * A failure the CLI reports with `exitCode`. Its `code` follows the SiphonError scheme:
 * `RUNNER_FAILED` unless a more precise one is given, `RUNNER_USAGE` for usage errors.
 */
export class RunnerError extends SiphonError {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown; code?: string } = {}) {
    super(message, { code: options.code ?? 'RUNNER_FAILED', cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
  }
}

/** A problem in the pipelines file or on the command line: fixing the input is the only cure. */
export class UsageError extends RunnerError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, { code: 'RUNNER_USAGE', ...options, exitCode: EXIT_USAGE });
  }
}

/** One problem at one place of the pipelines file, or of a seed file it names. */
export interface FileIssue {
  /** The file the problem is in, when not the pipelines file itself (a `rest_api_file`). */
  file?: string;
  /** Dotted key path such as `pipelines[1].kafka.brokers`. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** The pipelines file is invalid: every problem, each as `file:line:col key: message`. */
export class PipelinesFileError extends UsageError {
  readonly file: string;
  readonly issues: readonly FileIssue[];
  constructor(file: string, issues: readonly FileIssue[]) {
    const ordered = inFileOrder(file, issues);
    super(formatIssues(file, ordered), { code: 'PIPELINES_FILE_INVALID' });
    this.file = file;
    this.issues = ordered;
  }
}

export function formatIssue(pipelinesFile: string, issue: FileIssue): string {
  const file = issue.file ?? pipelinesFile;
  const where =
    issue.line === undefined ? file : `${file}:${issue.line}${issue.column ? `:${issue.column}` : ''}`;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** The pipelines file first, then each seed file; top to bottom within a file. */
function inFileOrder(file: string, issues: readonly FileIssue[]): FileIssue[] {
  const files = [file, ...new Set(issues.map((i) => i.file ?? file))];
  const rank = (i: FileIssue) => files.indexOf(i.file ?? file);
  return [...issues].sort(
    (a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

function formatIssues(file: string, issues: readonly FileIssue[]): string {
  return issues.map((issue) => formatIssue(file, issue)).join('\n');
}

/**
 * The one-line reason printed on failure: the first line of the message, plus a count of the rest.
 * A pipeline error (some resources failed) names each failed resource with its own first line.
 */
export function oneLineReason(error: unknown): string {
  const failed = (error as { failed?: unknown }).failed;
  if (Array.isArray(failed) && failed.length > 0) {
    // Resources that failed for the same reason (a rejected token, say) share one mention of it.
    const byReason = new Map<string, string[]>();
    for (const f of failed as Array<{ resource?: string; error?: unknown }>) {
      const reason = oneLineReason(f.error);
      byReason.set(reason, [...(byReason.get(reason) ?? []), String(f.resource)]);
    }
    return [...byReason]
      .map(([reason, names]) => `resource${names.length > 1 ? 's' : ''} ${names.join(', ')}: ${reason}`)
      .join('; ');
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  const first = lines[0]?.trim() ?? 'unknown error';
  return lines.length > 1
    ? `${first} (and ${lines.length - 1} more problem${lines.length > 2 ? 's' : ''})`
    : first;
}
