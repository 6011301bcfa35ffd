import { afterEach } from 'vitest';
import type { ClientConfig, EndpointConfig, ResourceConfig, RestApiConfig } from '../../src/config/types.js';
import { type RestApiSource, restApiSource } from '../../src/engine/source.js';
import { staticSecrets } from '../../src/secrets/providers.js';
import { router } from './fake-api.js';
import { startServer, type TestServer } from './http-server.js';

/**
 * Fake APIs and sources for engine tests, closed after each test. Call once at a test file's top
 * level (it registers the `afterEach`).
 */
export function engineFixture() {
  const servers: TestServer[] = [];
  const sources: RestApiSource[] = [];
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function api(routes: Parameters<typeof router>[0]): Promise<TestServer> {
    const server = await startServer(router(routes));
    servers.push(server);
    return server;
  }

  /** A source with no secrets and 1 ms retry delays, unless `options` says otherwise. */
  function source(
    config: Parameters<typeof restApiSource>[0],
    options: Parameters<typeof restApiSource>[1] = {},
  ): RestApiSource {
    const s = restApiSource(config, { secrets: staticSecrets({}), retry: { initialDelayMs: 1 }, ...options });
    sources.push(s);
    return s;
  }

  return { api, source };
}

/**
 * A rest_api config of one resource, `items`: `/items` on `baseUrl`, its records under `items`.
 * `parts` adds to (or replaces what it writes in) the client, the resource and its endpoint.
 */
export function itemsConfig(
  baseUrl: string,
  parts: {
    client?: Partial<ClientConfig>;
    resource?: Partial<ResourceConfig>;
    endpoint?: EndpointConfig;
  } = {},
): RestApiConfig {
  return {
    client: { base_url: baseUrl, ...parts.client },
    resources: [
      {
        name: 'items',
        ...parts.resource,
        endpoint: { path: '/items', data_selector: 'items', ...parts.endpoint },
      },
    ],
  };
}
