const transientCodes: Record<string, string> = {
  ECONNRESET: 'connection reset',
  ECONNREFUSED: 'connection refused',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connect timeout',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EAI_AGAIN: 'temporary DNS failure',
  UND_ERR_SOCKET: 'socket closed',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'headers timeout',
  UND_ERR_BODY_TIMEOUT: 'body timeout',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'body truncated',
};

function* causeChain(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

/**
 * Why a failed request is worth another try (`connection reset (ECONNRESET)`, `timeout`...), or
 * undefined when it is not (bad URL, invalid header, TLS failure...).
 */
export function transientNetworkReason(error: unknown, timeoutMs: number): string | undefined {
  for (const link of causeChain(error)) {
    if (link.name === 'TimeoutError') return `timeout after ${timeoutMs / 1000} s`;
    const code = typeof link.code === 'string' ? link.code : undefined;
    if (code && transientCodes[code]) return `${transientCodes[code]} (${code})`;
    // undici reports a body cut short by the peer as TypeError('terminated').
    if (link.name === 'TypeError' && link.message === 'terminated')
      return 'body truncated (connection closed)';
  }
  return undefined;
}

/** Short, secret-free description of a non-transient network error. */
export function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  for (const link of causeChain(error)) {
    const code = typeof link.code === 'string' ? ` (${link.code})` : '';
    if (typeof link.message === 'string') parts.push(`${link.message}${code}`);
  }
  return parts.join(': ') || String(error);
}
