import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  /** Form body and query string merged, as a token endpoint reads them. */
  params: Record<string, string>;
  authorization: string | undefined;
}

export interface StubReply {
  status?: number;
  /** Serialised as JSON unless a string. */
  body: unknown;
  contentType?: string;
  delayMs?: number;
}

export interface TokenStub {
  url: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

/** A scripted token endpoint on a random loopback port, for the odd answers real servers give. */
export async function startTokenStub(
  reply: (request: StubRequest, index: number) => StubReply | Promise<StubReply>,
): Promise<TokenStub> {
  const requests: StubRequest[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://stub');
    const params = Object.fromEntries([...url.searchParams, ...new URLSearchParams(body)]);
    const request = { params, authorization: req.headers.authorization };
    const index = requests.push(request) - 1;
    const answer = await reply(request, index);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth/v2/token`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A token response as Zoho's accounts server writes it. */
export function tokenReply(accessToken: string, extra: Record<string, unknown> = {}): StubReply {
  return {
    body: {
      access_token: accessToken,
      api_domain: 'https://www.zohoapis.com',
      token_type: 'Bearer',
      expires_in: 3600,
      ...extra,
    },
  };
}
