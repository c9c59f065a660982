// One port for everything: each TCP connection is sniffed for the HTTP/2
// client preface. Prior-knowledge HTTP/2 (gRPC, h2c Connect) goes to an http2
// server, anything else to an HTTP/1.1 server (Connect, gRPC-web, REST). Both
// serve the same request handler. The preface may arrive split over packets.
// With TLS every connection goes to a TLS server instead (tls.ts).
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { createTlsServer, type TlsMaterial } from "./tls.js";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const EMPTY = Buffer.alloc(0);

type Handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void;

export interface Listener {
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

export async function listen(inner: Handler, port: number, host: string, tls?: TlsMaterial): Promise<Listener> {
  let inFlight = 0;
  const handler: Handler = (req, res) => {
    inFlight++;
    res.once("close", () => { inFlight--; });
    inner(req, res);
  };
  const h1 = http.createServer(handler as http.RequestListener);
  h1.keepAliveTimeout = 65_000;
  const h2 = http2.createServer({}, handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (s) => { sessions.add(s); s.once("close", () => sessions.delete(s)); });
  const secure = tls && createTlsServer(handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void, tls);
  secure?.on("session", (s) => { sessions.add(s); s.once("close", () => sessions.delete(s)); });

  // noDelay: as http.createServer sets on the sockets it accepts itself; handed over
  // by "connection" they would keep Nagle's algorithm, and a stream's small frame
  // written while an earlier one is unacknowledged would wait for the ACK.
  const tcp = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    if (secure) {
      secure.emit("connection", socket);
      return;
    }
    let seen = EMPTY;
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, PREFACE.length);
      const isH2 = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (isH2 && seen.length < PREFACE.length) return; // wait for the rest of the preface
      socket.off("data", onData);
      socket.pause();
      socket.unshift(seen);
      seen = EMPTY; // not kept for the connection's life by the closures that share this scope
      if (isH2) {
        // http2 reads the bytes already buffered on the socket itself; resuming
        // here would let them flow away before the session is set up.
        h2.emit("connection", socket);
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(port, host, () => resolve());
  });
  const address = tcp.address() as net.AddressInfo;
  return {
    port: address.port,
    async close(graceMs = 5_000) {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const s of sessions) s.close();
      h1.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
