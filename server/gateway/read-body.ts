// Reads a request body into memory up to a limit; larger bodies are refused
// with 413 (by Content-Length before reading, or once the limit is passed).
// The rest of a refused body is read and dropped, so the client, still
// sending, gets the 413 instead of a reset connection.
import { HttpError, type Req } from "./router.js";

export function readBody(req: Req, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `request body larger than ${maxBytes} bytes`);
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on("end", () => (size > maxBytes ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}
