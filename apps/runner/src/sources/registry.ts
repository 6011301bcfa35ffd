/**
 * The source packages a pipelines file may name (`source: { package: billing }`), registered
 * explicitly by name. The runner registers its built-ins (`built-in.ts`); an embedding program
 * may register its own plugin the same way before it loads a pipelines file.
 */
import type { SourcePlugin } from '@siphon/core';
import { UsageError } from '../errors.js';

export class SourceRegistry {
  readonly #plugins = new Map<string, SourcePlugin>();

  /** Adds a plugin under its name; a second plugin with a taken name is refused. */
  register(plugin: SourcePlugin): this {
    if (this.#plugins.has(plugin.name)) {
      throw new UsageError(`source package "${plugin.name}" is registered already`);
    }
    this.#plugins.set(plugin.name, plugin);
    return this;
  }

  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  /** The registered names, in the order they were registered. */
  names(): string[] {
    return [...this.#plugins.keys()];
  }

  /** Why `name` is not a source package, listing the registered ones. */
  unknown(name: string): string {
    return `unknown source package ${JSON.stringify(name)}: expected one of ${this.names().join(', ')}`;
  }

  /** The plugin registered as `name`, or a `UsageError` at `where` (a key path such as `pipeline x: source.package`). */
  get(name: string, where: string): SourcePlugin {
    const plugin = this.#plugins.get(name);
    if (plugin === undefined) throw new UsageError(`${where}: ${this.unknown(name)}`);
    return plugin;
  }
}
