export interface SandboxStats {
  /** API requests served (control endpoints not counted). */
  requests: number;
  /** Keyed `"<api> <METHOD> <path>"`, e.g. `"billing GET /invoices"`. */
  byRoute: Record<string, number>;
  /** Keyed by status code sent (`"200"`, `"429"`), or `"reset"` for connections cut mid-body. */
  byStatus: Record<string, number>;
  tokensIssued: number;
}

export class StatsRecorder {
  private data: SandboxStats = StatsRecorder.empty();

  private static empty(): SandboxStats {
    return { requests: 0, byRoute: {}, byStatus: {}, tokensIssued: 0 };
  }

  request(api: string, method: string, path: string): void {
    this.data.requests++;
    const route = `${api} ${method} ${path}`;
    this.data.byRoute[route] = (this.data.byRoute[route] ?? 0) + 1;
  }

  outcome(status: number | 'reset'): void {
    const key = String(status);
    this.data.byStatus[key] = (this.data.byStatus[key] ?? 0) + 1;
  }

  tokenIssued(): void {
    this.data.tokensIssued++;
  }

  snapshot(): SandboxStats {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = StatsRecorder.empty();
  }
}
