// A service that lies: a loopback proxy in front of the emulator that rewrites the JSON answers to one
// HTTP method (the answers of GETs, or of POSTs) through `rewrite`, everything else passed as is.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startRewritingProxy(
  target: string,
  method: 'GET' | 'POST',
  rewrite: (path: string, body: Record<string, unknown>) => Record<string, unknown>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      new URL(req.url!, target),
      { method: req.method, headers: req.headers },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (part: Buffer) => parts.push(part));
        answer.on('end', () => {
          let body = Buffer.concat(parts);
          if (req.method === method && answer.headers['content-type']?.includes('json')) {
            body = Buffer.from(JSON.stringify(rewrite(req.url!.split('?')[0]!, JSON.parse(body.toString()))));
          }
          res.writeHead(answer.statusCode!, { ...answer.headers, 'content-length': body.length });
          res.end(body);
        });
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
