/**
 * What the identity generators of both APIs share: a random stream per API, kind of record and
 * index, so a fact about a record is the same wherever another record repeats it; and names made
 * safe for email addresses and codes.
 */
import { hashString, Rng } from './rng.js';

/** The random stream of one record's identity: `kind` (customer, plan, ...) of `api`, at `index`. */
export function identityRng(api: 'billing' | 'analytics', seed: number, kind: string, index: number): Rng {
  return new Rng(seed, hashString(`${api}.identity.${kind}`), index);
}

const ASCII = new Map<string, string>();
/** Email-safe form of a name: no accents, no apostrophes. */
export function asciiSlug(text: string): string {
  let slug = ASCII.get(text);
  if (slug === undefined) {
    slug = text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9]+/g, '')
      .toLowerCase();
    ASCII.set(text, slug);
  }
  return slug;
}
