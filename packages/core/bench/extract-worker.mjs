// The measured side of extract-1m.ts, in plain JavaScript so that, like the runner in production,
// the process carries no TypeScript loader: its RSS is Siphon's. Reads the sandbox's URLs and
// credentials from SANDBOX_INFO and prints one JSON line of results.
import { readFileSync } from 'node:fs';
import { restApiSource, runPipeline, staticSecrets } from '@siphon/core';

const records = Number(process.env.RECORDS ?? '1000000');
const info = JSON.parse(process.env.SANDBOX_INFO ?? '{}');

/** The sandbox's refresh-token grant; enough for a benchmark (the real auth is @siphon/auth-oauth2). */
const oauth2 = (tokenUrl) => (config, context) => {
  let token;
  return {
    async apply({ headers }) {
      token ??= context
        .fetch(tokenUrl, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: String(config.client_id),
            client_secret: String(config.client_secret),
            refresh_token: String(config.refresh_token),
          }),
        })
        .then(async (response) => (await response.json()).access_token);
      headers.set('authorization', `Zoho-oauthtoken ${await token}`);
    },
    async onUnauthorized() {
      token = undefined;
      return true;
    },
    describe: () => 'oauth2(bench)',
  };
};

/** Touches every record like a real sink would, keeping none. */
const sink = {
  records: 0,
  pages: 0,
  async open() {
    return {
      write: async (page) => {
        sink.pages++;
        for (const record of page.records) {
          if (typeof record.id !== 'string') throw new Error('record without id');
          sink.records++;
        }
      },
      finish: async () => {},
      abort: async () => {},
    };
  },
  async close() {},
};

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);
const seed = readFileSync(new URL('../test/fixtures/billing-source.py', import.meta.url), 'utf8');
const source = restApiSource(seed, {
  name: 'billing',
  configSource: 'billing-source.py',
  baseUrl: info.billingUrl,
  secrets: staticSecrets({
    client_id: info.credentials.clientId,
    client_secret: info.credentials.clientSecret,
    refresh_token: info.credentials.refreshToken,
  }),
  authFactories: { oauth2: oauth2(info.tokenUrl) },
});
let bytes = 0;
source.events.on((event) => {
  if (event.type === 'response') bytes += event.bytes;
});
const started = performance.now();
const [result] = await runPipeline({ source, sink, pipeline: 'bench', resources: ['invoices'] });
const seconds = (performance.now() - started) / 1000;
await source.close();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
console.log(
  JSON.stringify({
    expected: records,
    records: sink.records,
    pages: sink.pages,
    seconds: Number(seconds.toFixed(2)),
    recordsPerSecond: Math.round(sink.records / seconds),
    jsonMbPerSecond: Number((bytes / 1024 / 1024 / seconds).toFixed(1)),
    peakRssMb: Number((peakRss / 1024 / 1024).toFixed(1)),
    complete: result?.complete,
    node: process.version,
    v8Flags: process.execArgv.join(' ') || '(defaults)',
  }),
);
