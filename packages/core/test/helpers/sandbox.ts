import type { Sandbox } from '@siphon/sandbox';
import type { AuthFactory, JsonRecord } from '../../src/contracts.js';

/**
 * A minimal OAuth2 refresh-token auth for tests against the sandbox (the real one is
 * @siphon/auth-oauth2, tested in its own package). One token per source, shared by all requests.
 */
export function sandboxOAuth2(tokenUrl: string): AuthFactory {
  return (config, context) => {
    let token: Promise<string> | undefined;
    const fetchToken = async () => {
      const response = await context.fetch(tokenUrl, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: String(config.client_id),
          client_secret: String(config.client_secret),
          refresh_token: String(config.refresh_token),
        }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (!body.access_token)
        throw new Error(`token endpoint answered ${response.status} ${body.error ?? ''}`);
      return body.access_token;
    };
    return {
      async apply({ headers }) {
        token ??= fetchToken();
        token.catch(() => {
          token = undefined;
        });
        headers.set('authorization', `Zoho-oauthtoken ${await token}`);
      },
      async onUnauthorized() {
        token = undefined;
        return true;
      },
      describe: () => 'oauth2(test)',
    };
  };
}

export async function groundTruthIds(
  sandbox: Sandbox,
  api: 'billing' | 'analytics',
  resource: string,
): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of sandbox.groundTruth(api, resource)) ids.push(String(record.id));
  return ids;
}

/** Ids in extraction order; fails on a record without an id. */
export function idsOf(records: readonly JsonRecord[]): string[] {
  return records.map((record) => {
    if (typeof record.id !== 'string')
      throw new Error(`record without a string id: ${JSON.stringify(record).slice(0, 100)}`);
    return record.id;
  });
}
