// Measures what the stall timer cannot see: how long a request body slice can sit in the OS socket
// buffers before the next one is asked for, when the peer reads slowly. The longest gap between two pulls
// (undici asking for the next slice, as src/client/transport.ts sends bodies) is the time the buffered
// bytes took to drain; a stall timeout shorter than that cuts off an upload that is still moving.
// The reader is a loopback server that reads at a fixed rate, so the kernel's send AND receive buffers
// fill: an upper bound for a real link, where bytes in the receiver's buffer are already across.
//
//   npx tsx scripts/send-buffer-drain.ts [<KiB per second> <MiB to send>]   (defaults: 1024 KiB/s, 24 MiB)
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { BODY_SLICE_BYTES } from '../src/client/transport.js';
import { MiB } from '../src/common/bytes.js';

const rateBytesPerSec = Number(process.argv[2] ?? 1024) * 1024;
const totalBytes = Number(process.argv[3] ?? 24) * 1024 * 1024;

function readAtRate(req: IncomingMessage, done: () => void): void {
  req.on('data', (piece: Buffer) => {
    req.pause();
    setTimeout(() => req.resume(), (1000 * piece.length) / rateBytesPerSec);
  });
  req.on('end', done);
}

const server = createServer((req, res) => readAtRate(req, () => res.end('{}')));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const body = Buffer.alloc(totalBytes, 7);
const pulls: number[] = [];
async function* slices(): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < body.length; offset += BODY_SLICE_BYTES) {
    pulls.push(performance.now());
    yield body.subarray(offset, offset + BODY_SLICE_BYTES);
  }
  pulls.push(performance.now());
}

const agent = new Agent({ connections: 1 });
const response = await agent.request({
  origin: `http://127.0.0.1:${port}`,
  path: '/',
  method: 'POST',
  headers: { 'content-length': String(totalBytes) },
  body: slices() as unknown as Readable,
  headersTimeout: 0,
  bodyTimeout: 0,
});
await response.body.text();
await agent.close();
server.close();

const gaps = pulls.slice(1).map((t, i) => t - pulls[i]!);
const maxGapMs = Math.max(...gaps);
const unseenBytes = (maxGapMs / 1000) * rateBytesPerSec;
console.log(
  JSON.stringify(
    {
      rateKiBPerSec: rateBytesPerSec / 1024,
      sentMiB: totalBytes / MiB,
      longestGapBetweenSlicesSec: Number((maxGapMs / 1000).toFixed(2)),
      bytesBufferedUnseenMiB: Number((unseenBytes / MiB).toFixed(2)),
      slowestRateKiBPerSecKeptAliveBy30sTimeout: Math.round(unseenBytes / 30 / 1024),
    },
    null,
    2,
  ),
);
