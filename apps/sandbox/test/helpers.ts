import type { Sandbox } from '../src/index.js';

export interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  api_domain?: string;
  token_type?: string;
  expires_in?: number;
  error?: string;
}

export async function requestToken(
  sandbox: Sandbox,
  overrides: Record<string, string> = {},
  via: 'form' | 'query' = 'form',
): Promise<{ status: number; body: TokenResponse }> {
  const params = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: sandbox.credentials.clientId,
    client_secret: sandbox.credentials.clientSecret,
    refresh_token: sandbox.credentials.refreshToken,
    ...overrides,
  });
  const response =
    via === 'form'
      ? await fetch(sandbox.tokenUrl, { method: 'POST', body: params })
      : await fetch(`${sandbox.tokenUrl}?${params}`, { method: 'POST' });
  return { status: response.status, body: (await response.json()) as TokenResponse };
}

export async function accessToken(sandbox: Sandbox): Promise<string> {
  const { body } = await requestToken(sandbox);
  if (!body.access_token) throw new Error(`no access token: ${JSON.stringify(body)}`);
  return body.access_token;
}

export function billingGet(
  sandbox: Sandbox,
  pathAndQuery: string,
  token: string,
  scheme = 'Zoho-oauthtoken',
) {
  return fetch(`${sandbox.billingUrl}${pathAndQuery}`, { headers: { authorization: `${scheme} ${token}` } });
}

export function analyticsGet(sandbox: Sandbox, pathAndQuery: string, apiKey = sandbox.credentials.apiKey) {
  return fetch(`${sandbox.analyticsUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${apiKey}` } });
}

export type Json = Record<string, unknown>;

export { manualClock } from '../src/manual-clock.js';

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export interface BillingPage {
  code: number;
  message: string;
  page_context: { page: number; per_page: number; has_more_page: boolean };
  [key: string]: unknown;
}

export interface AnalyticsPage {
  meta: {
    current_page: number;
    next_page: number | null;
    prev_page: number | null;
    total_pages: number;
    total_count: number;
  };
  [key: string]: unknown;
}
