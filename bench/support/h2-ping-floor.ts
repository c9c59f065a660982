// What an idle stream's keep-alive ping costs in Node itself, without jobserv:
// a bare h2c server holds N streams (1 000 per connection, as the idle bench's
// HTTP/2 phase) and writes one shared 7-byte frame (a Ping's envelope) to a
// sixteenth of them every period/16, as server/api/ping-wheel.ts does. Prints
// the server process's CPU over a window.
//   MODE=stream|compat|none N=50000 PERIOD=15000 WINDOW=30000 node --import tsx bench/support/h2-ping-floor.ts
// stream: Http2Stream.write; compat: Http2ServerResponse.write; none: no pings.
// BENCH_SERVER_FLAGS adds node flags to the server (--trace-gc: whether a major
// collection fell in the window).
import { fork } from "node:child_process";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";

const N = Number(process.env["N"] ?? 50_000);
const PERIOD = Number(process.env["PERIOD"] ?? 15_000);
const WINDOW = Number(process.env["WINDOW"] ?? 30_000);
const MODE = process.env["MODE"] ?? "stream";

interface Writer { write(chunk: Uint8Array): boolean }

if (process.argv[2] === "server") {
  const frame = Buffer.from([0, 0, 0, 0, 2, 0x0a, 0]);
  const slots: Writer[][] = Array.from({ length: 16 }, () => []);
  let opened = 0;
  let hand = 0;
  const server = http2.createServer({}, (_req, res) => {
    const target: Writer = MODE === "compat" ? res : res.stream;
    res.writeHead(200, { "content-type": "application/grpc+proto" });
    if (MODE !== "none") target.write(frame);
    slots[opened++ % 16]!.push(target);
  });
  server.listen(0, "127.0.0.1", () => process.send!({ port: (server.address() as AddressInfo).port }));
  setInterval(() => {
    if (MODE !== "none") for (const s of slots[hand]!) s.write(frame);
    hand = (hand + 1) % 16;
  }, PERIOD / 16);
  process.on("message", () => {
    const c = process.cpuUsage();
    process.send!({ cpuMs: (c.user + c.system) / 1000, at: performance.now(), opened });
  });
} else {
  const child = fork(import.meta.filename, ["server"], { execArgv: ["--import", "tsx", ...(process.env["BENCH_SERVER_FLAGS"]?.split(" ").filter(Boolean) ?? [])] });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once("message", resolve as (m: unknown) => void));
  const ask = () => new Promise<{ cpuMs: number; at: number; opened: number }>((resolve) => {
    child.once("message", resolve as (m: unknown) => void);
    child.send("stats");
  });
  const connections = Array.from({ length: Math.ceil(N / 1000) }, () => http2.connect(`http://127.0.0.1:${port}`));
  let answered = 0;
  for (let k = 0; k < N; k++) {
    const s = connections[Math.floor(k / 1000)]!.request({ ":method": "POST", ":path": "/ping", "content-type": "application/grpc+proto" }, { endStream: false });
    s.on("data", () => {});
    s.on("response", () => answered++);
    if (k % 500 === 499) await new Promise((r) => setTimeout(r, 20));
  }
  while (answered < N) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 3000));
  const a = await ask();
  await new Promise((r) => setTimeout(r, WINDOW));
  const b = await ask();
  console.log(`${MODE}: ${b.opened} streams, ping every ${PERIOD} ms: server CPU ${((100 * (b.cpuMs - a.cpuMs)) / (b.at - a.at)).toFixed(2)} % of a core`);
  child.kill();
  process.exit(0);
}
