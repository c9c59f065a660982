// A TCP forwarder on loopback standing in for a load balancer: each new
// connection goes to the current target port, which the test may switch
// (e.g. to a second server instance once the first is gone). Connections
// already open stay with their target. A target is a loopback port or a unix
// socket's path (a TCP door to a local daemon, e.g. Docker's). Closed in teardown.
import net from "node:net";
import type { ExecutionContext } from "ava";

export interface TcpProxy {
  readonly url: string;
  /** Where new connections go from now on. */
  retarget(target: ProxyTarget): void;
}

/** A port on 127.0.0.1, or a unix socket's path. */
export type ProxyTarget = number | string;

export async function startTcpProxy(t: ExecutionContext, initial: ProxyTarget): Promise<TcpProxy> {
  let target = initial;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = typeof target === "string" ? net.connect(target) : net.connect(target, "127.0.0.1");
    for (const s of [client, upstream]) {
      open.add(s);
      s.once("close", () => open.delete(s));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side failing or closing ends both, as a balancer would.
    const end = () => { client.destroy(); upstream.destroy(); };
    client.once("error", end).once("close", end);
    upstream.once("error", end).once("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    for (const s of open) s.destroy();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, retarget: (next) => { target = next; } };
}
