import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiServer {
  url: string;
  /** Every request's Authorization header and the status it got. */
  requests: Array<{ path: string; authorization: string | undefined; status: number }>;
  close(): Promise<void>;
}

/**
 * A protected API: answers 200 `{"path": ...}` when `isValid` accepts the Authorization header,
 * else 401 with the billing API's body for an invalid token.
 */
export async function startApiServer(
  isValid: (authorization: string | undefined) => Promise<boolean> | boolean,
): Promise<ApiServer> {
  const requests: ApiServer['requests'] = [];
  const server = createServer(async (req, res) => {
    const authorization = req.headers.authorization;
    const ok = await isValid(authorization);
    const status = ok ? 200 : 401;
    requests.push({ path: req.url ?? '/', authorization, status });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        ok ? { path: req.url } : { code: 57, message: 'You are not authorized to perform this operation' },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
