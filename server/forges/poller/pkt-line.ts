// Git's smart-HTTP ref advertisement (pure): the body of
// `GET {url}/info/refs?service=git-upload-pack` is pkt-lines (4 hex digits of
// length including themselves, `0000` = flush): a `# service=` line, a flush,
// then `<sha> <ref>` lines, the first carrying capabilities after a NUL.
// Peeled tag entries (`^{}`) are dropped.

export function parseRefAdvertisement(body: Buffer): Map<string, string> {
  const refs = new Map<string, string>();
  let pos = 0;
  let first = true;
  while (pos < body.length) {
    const lenHex = body.subarray(pos, pos + 4).toString("ascii");
    if (!/^[0-9a-f]{4}$/i.test(lenHex)) throw new Error(`ref advertisement: bad pkt-line length "${lenHex}" at byte ${pos}`);
    const len = parseInt(lenHex, 16);
    if (len === 0) { pos += 4; continue; } // flush
    if (len < 4 || pos + len > body.length) throw new Error(`ref advertisement: pkt-line of ${len} bytes at byte ${pos} overruns the body`);
    let line = body.subarray(pos + 4, pos + len).toString("utf8");
    pos += len;
    if (line.endsWith("\n")) line = line.slice(0, -1);
    if (first && line.startsWith("# service=")) { first = false; continue; }
    first = false;
    const nul = line.indexOf("\0");
    if (nul >= 0) line = line.slice(0, nul);
    const m = /^([0-9a-f]{40}|[0-9a-f]{64}) (\S+)$/.exec(line);
    if (!m) throw new Error(`ref advertisement: unexpected line "${line.slice(0, 100)}"`);
    const [, sha = "", ref = ""] = m;
    if (ref === "capabilities^{}" || ref.endsWith("^{}")) continue;
    refs.set(ref, sha);
  }
  return refs;
}
