import { PaginatorError } from './paginator-error.js';

export interface ConfigIssue {
  /** Path inside the paginator config, e.g. `['limit']`; empty for the config itself. */
  path: PropertyKey[];
  message: string;
}

/** A paginator config that does not validate. Each issue names its key and what was expected. */
export class PaginatorConfigError extends PaginatorError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], resource?: string) {
    const lines = issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
    super('INVALID_PAGINATOR_CONFIG', `invalid paginator config: ${lines.join('; ')}`, {
      ...(resource === undefined ? {} : { resource }),
    });
    this.issues = issues;
  }
}

function formatIssuePath(path: PropertyKey[]): string {
  if (path.length === 0) return 'paginator';
  return `paginator${path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('')}`;
}
