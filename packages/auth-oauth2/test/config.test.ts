import { ConfigError, createEventBus, validateConfig } from '@siphon/core';
import { describe, expect, it } from 'vitest';
import {
  OAuth2Error,
  OAuth2TokenSource,
  oauth2Auth,
  oauth2ConfigSchema,
  parseOAuth2Settings,
} from '../src/index.js';
import { expectNoSecrets } from './helpers/leaks.js';

const seedAuth = {
  type: 'oauth2',
  client_id: '1000.ABCDEF',
  client_secret: 'client-secret-value-42',
  refresh_token: '1000.refresh-token-value.abcdef',
  token_url: 'https://accounts.example.com/oauth/v2/token',
};

function configError(input: unknown): OAuth2Error {
  try {
    parseOAuth2Settings(input);
  } catch (error) {
    expect(OAuth2Error.isInstance(error)).toBe(true);
    expect((error as OAuth2Error).code).toBe('OAUTH2_INVALID_CONFIG');
    return error as OAuth2Error;
  }
  throw new Error('expected the config to be rejected');
}

describe('oauth2 config', () => {
  it('accepts the billing seed auth block verbatim, with documented defaults', () => {
    expect(oauth2ConfigSchema.safeParse(seedAuth).success).toBe(true);
    const settings = parseOAuth2Settings(seedAuth);
    expect(settings).toMatchObject({
      grantType: 'refresh_token',
      clientAuth: 'client_secret_post',
      headerScheme: 'Bearer',
      expirySkewSeconds: 30,
      defaultExpiresInSeconds: 3600,
      allowInsecureHttp: false,
      scope: undefined,
    });
    expect(settings.tokenUrl.href).toBe(seedAuth.token_url);
  });

  it('defaults to client_credentials without a refresh token, joining scopes by spaces', () => {
    const settings = parseOAuth2Settings({
      type: 'oauth2',
      client_id: 'id',
      client_secret: 'secret-1',
      token_url: 'https://auth.example.com/token',
      scopes: ['read:invoices', 'read:customers'],
      audience: 'https://api.example.com',
    });
    expect(settings.grantType).toBe('client_credentials');
    expect(settings.scope).toBe('read:invoices read:customers');
    expect(settings.audience).toBe('https://api.example.com');
  });

  it('sends a scope string verbatim, since Zoho separates scopes with commas', () => {
    const settings = parseOAuth2Settings({
      ...seedAuth,
      scope: 'ZohoSubscriptions.invoices.READ,ZohoSubscriptions.customers.READ',
    });
    expect(settings.scope).toBe('ZohoSubscriptions.invoices.READ,ZohoSubscriptions.customers.READ');
  });

  it('rejects an unknown key by name, without echoing its value', () => {
    const error = configError({ ...seedAuth, refresh_tokn: 'leaky-secret-value' });
    expect(error.message).toContain('unknown key refresh_tokn');
    expectNoSecrets(error, ['leaky-secret-value', seedAuth.client_secret, seedAuth.refresh_token]);
  });

  it('lists every problem with its key', () => {
    const error = configError({
      type: 'oauth2',
      client_id: '',
      token_url: 'not a url',
      expiry_skew_seconds: -1,
    });
    expect(error.message).toContain('client_id: must not be empty');
    expect(error.message).toContain('token_url: must be an absolute https URL');
    expect(error.message).toContain('expiry_skew_seconds:');
    expect(error.message).toContain('client_secret: is required for client_auth client_secret_post');
  });

  it('requires a refresh token for the refresh_token grant', () => {
    const { refresh_token: _, ...noRefresh } = seedAuth;
    expect(configError({ ...noRefresh, grant_type: 'refresh_token' }).message).toContain(
      'refresh_token: is required for grant_type refresh_token',
    );
  });

  it('refuses a refresh token that a client_credentials grant would silently ignore', () => {
    expect(configError({ ...seedAuth, grant_type: 'client_credentials' }).message).toContain(
      'refresh_token: is only used with grant_type refresh_token',
    );
  });

  it('reports a secret of the wrong type without printing it', () => {
    const error = configError({ ...seedAuth, client_secret: 1234567890 });
    expect(error.message).toContain('client_secret: expected string');
    expect(error.message).not.toContain('1234567890');
  });

  it('refuses plain http for a remote host even with allow_insecure_http', () => {
    const error = configError({
      ...seedAuth,
      token_url: 'http://accounts.example.com/oauth/v2/token',
      allow_insecure_http: true,
    });
    expect(error.message).toContain(
      'token_url: must use https (plain http is allowed only for loopback hosts)',
    );
  });

  it('allows plain http for loopback hosts only when asked to', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:9000', '[::1]:7000']) {
      const token_url = `http://${host}/oauth/v2/token`;
      expect(configError({ ...seedAuth, token_url }).message).toContain('set allow_insecure_http: true');
      expect(
        parseOAuth2Settings({ ...seedAuth, token_url, allow_insecure_http: true }).allowInsecureHttp,
      ).toBe(true);
    }
  });

  it('refuses credentials in the token URL', () => {
    const error = configError({
      ...seedAuth,
      token_url: 'https://user:pw-secret@accounts.example.com/token',
    });
    expect(error.message).toContain('token_url: must not contain credentials');
    expect(error.message).not.toContain('pw-secret');
  });

  it('validates the header scheme and the client auth method', () => {
    expect(configError({ ...seedAuth, header_scheme: 'Zoho oauthtoken' }).message).toContain(
      'header_scheme: must be one word',
    );
    expect(configError({ ...seedAuth, client_auth: 'private_key_jwt' }).message).toContain('client_auth:');
    expect(parseOAuth2Settings({ ...seedAuth, header_scheme: 'Zoho-oauthtoken' }).headerScheme).toBe(
      'Zoho-oauthtoken',
    );
  });

  it('names camelCase options in the errors of the class constructor', () => {
    let error: unknown;
    try {
      new OAuth2TokenSource({
        tokenUrl: 'https://a.example/token',
        clientId: 'x',
        clientSecret: 'y-secret',
        grantType: 'refresh_token',
      });
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).toContain('refreshToken: is required for grant_type refresh_token');
  });
});

describe('oauth2Auth as a plugin of core', () => {
  const yaml = (auth: string) =>
    `client:\n  base_url: https://api.example.com\n  auth:\n    type: oauth2\n${auth}resources: [invoices]\n`;

  function loadProblems(text: string): string[] {
    try {
      validateConfig(text, { source: 'billing.yaml', authFactories: { oauth2: oauth2Auth } });
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      return error.issues.map((i) => `${i.line}: ${i.path}: ${i.message}`);
    }
    throw new Error('expected a ConfigError');
  }

  it("has core check a config's oauth2 block at load, each problem at its key's line, no value echoed", () => {
    const found = loadProblems(
      yaml(`    client_id: dlt.secrets["client_id"]
    client_secret: leaky-secret-value
    refresh_token: dlt.secrets["refresh_token"]
    token_url: http://accounts.example.com/oauth/v2/token
    refresh_tokn: dlt.secrets["refresh_token"]
`),
    );
    expect(found).toEqual([
      '9: client.auth.refresh_tokn: unknown key refresh_tokn',
      '8: client.auth.token_url: must use https (plain http is allowed only for loopback hosts)',
    ]);
    expect(found.join('\n')).not.toContain('leaky-secret-value');
  });

  it('takes secret references as present, and still applies the rules that do not need their text', () => {
    const seed = `    client_id: dlt.secrets["client_id"]
    client_secret: dlt.secrets["client_secret"]
    refresh_token: dlt.secrets["refresh_token"]
    token_url: https://accounts.example.com/oauth/v2/token
`;
    expect(() => validateConfig(yaml(seed), { authFactories: { oauth2: oauth2Auth } })).not.toThrow();
    expect(loadProblems(yaml(`${seed}    grant_type: client_credentials\n`))).toEqual([
      '7: client.auth.refresh_token: is only used with grant_type refresh_token; remove it or change grant_type',
    ]);
  });

  it('create takes the settings core parsed as they are, without checking them again', async () => {
    // A scheme the schema would refuse: only a second check could notice it.
    const settings = { ...parseOAuth2Settings(seedAuth), headerScheme: 'Not one word' };
    const auth = oauth2Auth.create(settings, {
      fetch: async () => Response.json({ access_token: 'access-1', token_type: 'Bearer', expires_in: 3600 }),
      baseUrl: 'https://api.example.com',
      events: createEventBus(),
    });
    const headers = new Headers();
    await auth.apply({ url: new URL('https://api.example.com/invoices'), headers });
    expect(headers.get('authorization')).toBe('Not one word access-1');
  });
});
