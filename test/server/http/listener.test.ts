// The one listening port hands each accepted socket to its HTTP/1.1 or HTTP/2
// server by "connection", which skips what those servers set on sockets they
// accept themselves: Nagle's algorithm must be off (noDelay), or a stream's
// small frame written while an earlier one is unacknowledged waits for the ACK.
import test from "ava";
import http from "node:http";
import type net from "node:net";
import { listen } from "../../../server/http/listener.js";

/** Node's record of setNoDelay on a socket (it has no public getter). */
function noDelayOf(socket: net.Socket): unknown {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === "kSetNoDelay");
  return key === undefined ? "no kSetNoDelay symbol on this Node version" : (socket as unknown as Record<symbol, unknown>)[key];
}

test("accepted sockets have Nagle's algorithm off (set when accepted, before either server takes them; observed on HTTP/1.1)", async (t) => {
  const l = await listen((req, res) => {
    res.end("stream" in req ? "http2" : String(noDelayOf(req.socket)));
  }, 0, "127.0.0.1");
  t.teardown(() => l.close(10));
  const h1 = await new Promise<string>((resolve, reject) => {
    http.get({ host: "127.0.0.1", port: l.port, path: "/" }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => { body += c.toString(); }).on("end", () => resolve(body));
    }).on("error", reject);
  });
  t.is(h1, "true");
});
