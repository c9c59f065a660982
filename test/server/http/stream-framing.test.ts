// A lean stream's message leaves when it is sent: Node corks an HTTP/1.1
// chunked response's socket until the next tick, which waits for every
// microtask queued behind the send (a trigger's bookkeeping after its push);
// StreamWriter uncorks it, so the bytes are handed to the socket at once.
import test from "ava";
import http from "node:http";
import type net from "node:net";
import { StreamWriter } from "../../../server/http/stream-framing.js";

test("a message sent on an HTTP/1.1 stream is written before the next tick", async (t) => {
  const seen: { corked: number; buffered: number }[] = [];
  const server = http.createServer((_req, res) => {
    const out = new StreamWriter(res, "connect", {});
    out.send(new Uint8Array([8, 1])); // the headers go with the first message
    const socket = res.socket as net.Socket;
    seen.push({ corked: socket.writableCorked, buffered: socket.writableLength });
    out.send(new Uint8Array([8, 2]));
    seen.push({ corked: socket.writableCorked, buffered: socket.writableLength });
    setTimeout(() => out.end(), 20);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => server.close());
  const body = await new Promise<Buffer>((resolve, reject) => {
    http.request({ host: "127.0.0.1", port: (server.address() as net.AddressInfo).port, method: "POST", headers: { "content-type": "application/connect+proto" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks)));
    }).on("error", reject).end();
  });
  t.deepEqual(seen, [{ corked: 0, buffered: 0 }, { corked: 0, buffered: 0 }], "not corked, nothing left in the socket's buffer");
  t.deepEqual([...body.subarray(0, 14)], [0, 0, 0, 0, 2, 8, 1, 0, 0, 0, 0, 2, 8, 2], "both envelopes, in order");
});
