// A gzipped tar (ustar) of in-memory files, byte-for-byte deterministic for
// the same input: entries in the given order, one fixed mtime, uid/gid 0,
// gzip without a timestamp. Enough for npm to install it (pure).
import { gzipSync } from "node:zlib";

export interface TarEntry {
  /** Path inside the archive, with "/" separators. */
  path: string;
  mode: number;
  data: Buffer;
}

/** npm pack's fixed modification time (1985-10-26T08:15:00Z), so archives differ only by content. */
const MTIME = Date.UTC(1985, 9, 26, 8, 15, 0) / 1000;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** Splits a path into ustar's name (<= 100 bytes) and prefix (<= 155 bytes) at a "/". */
function splitPath(p: string): [name: string, prefix: string] {
  if (Buffer.byteLength(p) <= 100) return [p, ""];
  for (let i = p.lastIndexOf("/"); i > 0; i = p.lastIndexOf("/", i - 1)) {
    const [prefix, name] = [p.slice(0, i), p.slice(i + 1)];
    if (Buffer.byteLength(name) <= 100 && Buffer.byteLength(prefix) <= 155) return [name, prefix];
  }
  throw new Error(`tar: path too long: ${p}`);
}

function header(entry: TarEntry): Buffer {
  const h = Buffer.alloc(512);
  const [name, prefix] = splitPath(entry.path);
  h.write(name, 0, 100, "utf8");
  h.write(octal(entry.mode & 0o7777, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(entry.data.length, 12), 124, "ascii");
  h.write(octal(MTIME, 12), 136, "ascii");
  h.write("        ", 148, "ascii"); // the checksum counts its own field as spaces
  h.write("0", 156, "ascii"); // a regular file
  h.write("ustar\u000000", 257, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

export function tarGz(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e), e.data);
    const pad = (512 - (e.data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
