import { hasMarker, SiphonError } from './siphon-error.js';

const marker = Symbol.for('@siphon/core.ConfigError');

/** One problem in a config, at one path such as `resources[3].endpoint.paginator.type`. */
export interface ConfigIssue {
  path: string;
  message: string;
  /** 1-based line in the config text, when the config came from text. */
  line?: number;
  /** 1-based column on that line, when known. */
  column?: number;
}

/** A config is invalid. Lists every problem found, not just the first. */
export class ConfigError extends SiphonError {
  readonly issues: readonly ConfigIssue[];
  readonly [marker] = true;

  constructor(issues: readonly ConfigIssue[], options: { source?: string } = {}) {
    super(formatIssues(issues, options.source), { code: 'CONFIG_INVALID' });
    this.issues = issues;
  }

  static override isInstance(error: unknown): error is ConfigError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

function formatIssues(issues: readonly ConfigIssue[], source: string | undefined): string {
  const where = source ? ` in ${source}` : '';
  const header = `Invalid rest_api config${where}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`;
  const lines = issues.map((issue) => {
    const line = issue.line === undefined ? '' : ` (line ${issue.line})`;
    return `  - ${issue.path || '(root)'}${line}: ${issue.message}`;
  });
  return [header, ...lines].join('\n');
}
