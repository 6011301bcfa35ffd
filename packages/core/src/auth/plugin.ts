import type { AuthFactory, AuthPlugin } from '../contracts.js';

export function isAuthPlugin(factory: AuthFactory): factory is AuthPlugin {
  return typeof factory === 'object' && factory !== null && typeof factory.create === 'function';
}

/** Declares an auth plugin, typing `create`'s settings from the schema's output. */
export function defineAuthPlugin<Settings>(plugin: AuthPlugin<Settings>): AuthPlugin<Settings> {
  return Object.freeze({ configSchema: plugin.configSchema, create: plugin.create.bind(plugin) });
}
