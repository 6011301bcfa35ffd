/**
 * Runs the sandbox in its own process for the benchmark, so the extractor's memory is measured
 * alone. Prints one JSON line with the URLs and credentials, then serves until SIGTERM.
 */
import { startSandbox } from '@siphon/sandbox';

const size = Number(process.argv[2] ?? '1000000');
const sandbox = await startSandbox({ seed: 1, size: 0, sizes: { billing: { invoices: size } } });
process.stdout.write(
  `${JSON.stringify({ billingUrl: sandbox.billingUrl, tokenUrl: sandbox.tokenUrl, credentials: sandbox.credentials })}\n`,
);
process.on('SIGTERM', () => {
  void sandbox.close().then(() => process.exit(0));
});
