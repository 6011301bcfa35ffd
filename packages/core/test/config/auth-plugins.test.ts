import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAuthPlugin } from '../../src/auth/plugin.js';
import { validateConfig } from '../../src/config/validate.js';
import type { AuthFactory, AuthProvider } from '../../src/contracts.js';
import { restApiSource } from '../../src/engine/source.js';
import { ConfigError } from '../../src/errors/config-error.js';
import { staticSecrets } from '../../src/secrets/providers.js';

/** A made-up auth type with the kinds of rule a real one has: a key, a URL rule, a cross-field rule. */
function signedAuth() {
  const parses: unknown[] = [];
  const created: unknown[] = [];
  const configSchema = z
    .strictObject({
      type: z.literal('signed'),
      key_id: z.string().min(1, 'must not be empty'),
      signing_url: z.string(),
      mode: z.enum(['hmac', 'none']).optional(),
      secret: z.string().optional(),
    })
    .superRefine((block, ctx) => {
      if (!block.signing_url.startsWith('https://')) {
        ctx.addIssue({ code: 'custom', path: ['signing_url'], message: 'must be an https URL' });
      }
      if ((block.mode ?? 'hmac') === 'hmac' && block.secret === undefined) {
        ctx.addIssue({ code: 'custom', path: ['secret'], message: 'is required for mode hmac' });
      }
    })
    .transform((block) => {
      const settings = { keyId: block.key_id, signingUrl: new URL(block.signing_url) };
      parses.push(settings);
      return settings;
    });
  const plugin = defineAuthPlugin({
    configSchema,
    create(settings, _context): AuthProvider {
      created.push(settings);
      return { apply: async () => {}, describe: () => `signed(${settings.keyId})` };
    },
  });
  return { plugin, parses, created };
}

const yaml = (auth: string) => `client:
  base_url: https://api.example.com
  auth:
${auth}
resources: [things]
`;

function problems(text: string, authFactories: Record<string, AuthFactory>): string[] {
  try {
    validateConfig(text, { source: 'api.yaml', authFactories });
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    return error.issues.map((i) => `${i.line ?? '?'}: ${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('auth plugins declare their config schema', () => {
  it("checks a block against its plugin's schema at load, each problem at its key's line", () => {
    const { plugin, parses } = signedAuth();
    const text = yaml(`    type: signed
    key_id: k1
    signing_url: http://sign.example.com
    secert: leaked-value-123`);
    const found = problems(text, { signed: plugin });
    expect(found).toEqual([
      '7: client.auth.secert: unknown key secert',
      '6: client.auth.signing_url: must be an https URL',
      '4: client.auth.secret: is required for mode hmac',
    ]);
    expect(found.join('\n')).not.toContain('leaked-value-123');
    // Checking is not the start: nothing was parsed into settings.
    expect(parses).toHaveLength(0);
  });

  it('takes a secret reference as a present string, and leaves rules about its text to the start', () => {
    const { plugin } = signedAuth();
    const ok = yaml(`    type: signed
    key_id: dlt.secrets["key_id"]
    signing_url: dlt.secrets["signing_url"]
    secret: { $secret: "signing_secret" }`);
    const config = validateConfig(ok, { authFactories: { signed: plugin } });
    expect(config.client.auth).toMatchObject({ type: 'signed' });
    // Presence rules still apply with references: here the secret is missing, and mode none would forbid nothing.
    expect(
      problems(
        yaml(`    type: signed
    key_id: dlt.secrets["key_id"]
    signing_url: dlt.secrets["signing_url"]`),
        { signed: plugin },
      ),
    ).toEqual(['4: client.auth.secret: is required for mode hmac']);
  });

  it('keeps the checked block in the frozen config', () => {
    const { plugin } = signedAuth();
    const config = validateConfig(
      {
        client: {
          base_url: 'https://api.example.com',
          auth: { type: 'signed', key_id: 'k', signing_url: 'https://s.example', secret: 'x' },
        },
        resources: ['a'],
      },
      { authFactories: { signed: plugin } },
    );
    expect(Object.isFrozen(config.client.auth)).toBe(true);
  });

  it('parses the block once at start, secrets resolved, and hands create the settings as they are', async () => {
    const { plugin, parses, created } = signedAuth();
    const text = yaml(`    type: signed
    key_id: dlt.secrets["key_id"]
    signing_url: https://sign.example.com/v1
    secret: dlt.secrets["signing_secret"]`);
    const source = restApiSource(text, {
      authFactories: { signed: plugin },
      secrets: staticSecrets({ key_id: 'key-7', signing_secret: 's3cret' }),
    });
    // Loading checked the block (with stand-ins for the secrets) and kept no settings.
    const checked = parses.length;
    expect(created).toHaveLength(0);
    await source.prepare();
    const atStart = parses.slice(checked);
    expect(atStart).toEqual([{ keyId: 'key-7', signingUrl: new URL('https://sign.example.com/v1') }]);
    expect(created).toHaveLength(1);
    expect(created[0]).toBe(atStart[0]);
    await source.close();
  });

  it("judges a secret's text at start, naming the key without echoing the value", async () => {
    const { plugin, created } = signedAuth();
    const text = yaml(`    type: signed
    key_id: k1
    signing_url: dlt.secrets["signing_url"]
    secret: dlt.secrets["signing_secret"]`);
    const source = restApiSource(text, {
      authFactories: { signed: plugin },
      secrets: staticSecrets({ signing_url: 'http://private-host.example/sign', signing_secret: 's' }),
    });
    const error = await source.prepare().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('client.auth.signing_url: must be an https URL');
    expect((error as Error).message).not.toContain('private-host');
    expect(created).toHaveLength(0);
  });

  it('still takes a plain factory function, which checks its block itself', async () => {
    const seen: Record<string, unknown>[] = [];
    const plain: AuthFactory = (config) => {
      seen.push(config);
      return { apply: async () => {}, describe: () => 'plain' };
    };
    const source = restApiSource(yaml('    type: plain\n    anything: dlt.secrets["anything"]'), {
      authFactories: { plain },
      secrets: staticSecrets({ anything: 'value' }),
    });
    await source.prepare();
    expect(seen).toEqual([{ type: 'plain', anything: 'value' }]);
    await source.close();
  });
});
