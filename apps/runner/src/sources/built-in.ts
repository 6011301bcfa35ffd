/** The runner's source packages, registered by name: `package: billing` and `package: analytics`. */
import { analyticsPlugin } from '@siphon/source-analytics';
import { billingPlugin } from '@siphon/source-billing';
import { SourceRegistry } from './registry.js';

export const sourcePlugins: SourceRegistry = new SourceRegistry()
  .register(billingPlugin)
  .register(analyticsPlugin);
