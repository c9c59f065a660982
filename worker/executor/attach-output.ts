// A container's output stream (Docker's attach, hijacked) read into one
// reused buffer. On a local Docker socket the attach request is written by
// hand (POST /containers/{id}/attach, Upgrade: tcp), the answer's head is
// checked (101 and the upgrade), and every later read lands in the same 64 KiB
// buffer (net's `onread`) and is handed on as a view of it: no allocation per
// read (a busy container's output comes in ~10 KiB reads, each of which was a
// fresh 64 KiB buffer copied into a right-sized one, and the garbage collector
// ran for them). The view is valid only during `onRead`: whoever keeps bytes
// copies them. A Docker reached over TCP, TLS or SSH goes through dockerode's
// hijacked attach instead (a buffer per read).
import net from "node:net";
import type Docker from "dockerode";

const READ_BUFFER = 64 * 1024;
/** More answer head than this without its end is not Docker. */
const MAX_HEAD = 16 * 1024;

export interface AttachedOutput {
  /** Settles when the stream ends (the container exited, or the connection broke). */
  ended: Promise<void>;
}

interface Modem { socketPath?: unknown; host?: unknown; version?: string; headers?: Record<string, string>; getSocketPath(): Promise<string | undefined> }

/** Attaches to stdout and stderr of `container` (before it starts); resolves once Docker accepted. */
export async function attachOutput(docker: Docker, container: Docker.Container, onRead: (chunk: Buffer) => void): Promise<AttachedOutput> {
  const modem = docker.modem as unknown as Modem;
  const socketPath = modem.socketPath && !modem.host ? await modem.getSocketPath() : undefined;
  if (!socketPath) {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true, hijack: true }) as NodeJS.ReadableStream;
    stream.on("data", onRead);
    return { ended: new Promise<void>((resolve) => { stream.once("end", resolve); stream.once("close", resolve); }) };
  }
  return new Promise<AttachedOutput>((resolve, reject) => {
    /** The answer (latin1) until its head is whole and says 101; a refusal's head and body. */
    let answer = "";
    let state: "head" | "refused" | "output" = "head";
    let settled = false;
    let endStream: () => void = () => {};
    const ended = new Promise<void>((r) => { endStream = r; });
    const refuse = (e: Error) => {
      if (!settled) { settled = true; reject(e); }
      socket.destroy();
    };
    /** Docker's refusal (e.g. 404 no such container), with its JSON message once the body is in (or the connection ends). */
    const refusal = (force: boolean) => {
      const end = answer.indexOf("\r\n\r\n");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? "?";
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(answer.slice(0, end))?.[1] ?? NaN);
      const body = answer.slice(end + 4);
      if (force || body.length >= length) refuse(new Error(`attach: (HTTP code ${status}) ${errorText(body)}`));
    };
    const socket = net.connect({
      path: socketPath,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER),
        callback: (n: number, buf: Uint8Array): boolean => {
          read(n, buf as Buffer);
          return true; // keep reading
        },
      },
    });
    function read(n: number, buf: Buffer): void {
      const chunk = buf.subarray(0, n);
      if (state === "output") { onRead(chunk); return; }
      answer += chunk.toString("latin1");
      if (state === "refused") { refusal(false); return; }
      const end = answer.indexOf("\r\n\r\n");
      if (end < 0) {
        if (answer.length > MAX_HEAD) refuse(new Error("attach: no answer head from Docker"));
        return;
      }
      if (!/^HTTP\/1\.[01] 101 /.test(answer)) {
        state = "refused";
        refusal(false);
        return;
      }
      state = "output";
      settled = true;
      resolve({ ended });
      const rest = Buffer.from(answer.slice(end + 4), "latin1");
      answer = "";
      if (rest.length) onRead(rest);
    }
    socket.on("error", (e) => refuse(e));
    socket.once("end", () => { if (state === "refused") refusal(true); endStream(); });
    socket.once("close", () => {
      endStream();
      if (!settled) refuse(new Error("attach: Docker closed the connection before it answered"));
    });
    const headers = Object.entries(modem.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    socket.write(`POST ${modem.version ? `/${modem.version}` : ""}/containers/${encodeURIComponent(container.id)}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\n`
      + `Host: docker\r\n${headers}Content-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  });
}

function errorText(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body.slice(0, 500);
  }
}
