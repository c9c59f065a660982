// A TCP forwarder on loopback standing in for a load balancer: each new
// connection goes to the current target port, which the test may switch
// (e.g. to a second server instance once the first is gone). Connections
// already open stay with their target. Closed in teardown.
import net from "node:net";
import type { ExecutionContext } from "ava";

export interface TcpProxy {
  readonly url: string;
  /** Where new connections go from now on. */
  retarget(port: number): void;
}

export async function startTcpProxy(t: ExecutionContext, targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, "127.0.0.1");
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
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, retarget: (port) => { target = port; } };
}
