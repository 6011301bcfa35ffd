import type { z } from 'zod';
import type { AuthPlugin } from '../contracts.js';
import { Secret, SecretRef } from '../secrets/secret.js';
import { isPlainObject } from './merge.js';

/**
 * Two stand-ins of different text for a secret whose value is not known yet. A rule that fails
 * for one and not the other judges the secret's text, so it waits for the value (at start).
 */
const STAND_INS = ['https://secret.invalid/stand-in', 'SecretStandIn'] as const;

/**
 * The issues of an `auth` block as written, against its plugin's schema. A secret reference is a
 * present string: rules about presence and type apply to it, rules about its text do not yet.
 */
export function authBlockIssues(plugin: AuthPlugin, block: Record<string, unknown>): z.core.$ZodIssue[] {
  const issuesWith = (standIn: string) => {
    const result = plugin.configSchema.safeParse(withStandIns(block, standIn));
    return result.success ? [] : result.error.issues;
  };
  const first = issuesWith(STAND_INS[0]);
  if (!hasSecrets(block)) return first;
  const key = (issue: z.core.$ZodIssue) => `${issue.code}\n${issue.path.join('\n')}\n${issue.message}`;
  const second = new Set(issuesWith(STAND_INS[1]).map(key));
  return first.filter((issue) => second.has(key(issue)));
}

const isSecret = (value: unknown) => value instanceof SecretRef || value instanceof Secret;

function hasSecrets(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(hasSecrets);
  return isPlainObject(value) && Object.values(value).some(hasSecrets);
}

function withStandIns(value: unknown, standIn: string): unknown {
  if (isSecret(value)) return standIn;
  if (Array.isArray(value)) return value.map((item) => withStandIns(item, standIn));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withStandIns(item, standIn)]));
}
