/**
 * The accounts origin: `POST /oauth/v2/token` with the refresh-token grant. Parameters may
 * come in the query string, a form body, or both (the body wins on conflicts).
 */
import { jsonReply, type Reply, statusText } from '../http/reply.js';
import type { ApiDefinition } from '../http/server.js';
import type { StatsRecorder } from '../stats.js';
import type { TokenIssuer } from '../tokens.js';

export const TOKEN_PATH = '/oauth/v2/token';

export function accountsError(status: number): Reply {
  return jsonReply(status, { error: statusText(status).toLowerCase().replace(/\W+/g, '_') });
}

export function accountsApi(tokens: TokenIssuer, stats: StatsRecorder): ApiDefinition {
  return {
    api: 'accounts',
    latencyMs: 0,
    errorReply: accountsError,
    async handle(context) {
      if (context.path !== TOKEN_PATH) return accountsError(404);
      if (context.method !== 'POST') return accountsError(405);
      const params = new URLSearchParams(context.url.search);
      const contentType = context.req.headers['content-type'] ?? '';
      const body = await context.readBody();
      if (body.length > 0 && contentType.startsWith('application/x-www-form-urlencoded')) {
        for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
      }
      const outcome = tokens.grant(params);
      if (outcome.issued) stats.tokenIssued();
      return jsonReply(outcome.status, outcome.body);
    },
  };
}
