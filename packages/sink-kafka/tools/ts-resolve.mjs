// Module hooks that let Node run this repository's TypeScript directly (with
// --experimental-transform-types): `./x.js` imports resolve to `./x.ts`, and `@siphon/*` packages
// resolve to their `src/index.ts` instead of a possibly stale `dist/` — as the vitest aliases do.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@siphon/')) {
    const resolved = await next(specifier, context);
    const source = fileURLToPath(resolved.url).replace(/\/dist\/(.+)\.js$/, '/src/$1.ts');
    if (existsSync(source)) return { url: pathToFileURL(source).href, shortCircuit: true };
    return resolved;
  }
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && specifier.startsWith('.') && specifier.endsWith('.js')) {
      return next(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw error;
  }
}
