// Docker's multiplexed attach stream (worker/executor/demux.ts): the payload
// of stdout and stderr frames comes out in order however the network split
// the frames (at every byte), empty frames add nothing, and a stream that is
// not multiplexed (its first byte is no stream type) passes through whole.
import test from "ava";
import { AttachDemuxer } from "../../../worker/executor/demux.js";
import { prng } from "../../support/prng.js";

function frame(type: number, payload: string): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(Buffer.byteLength(payload), 4);
  return Buffer.concat([header, Buffer.from(payload)]);
}

function demux(reads: Buffer[]): string {
  const d = new AttachDemuxer();
  const out: Buffer[] = [];
  for (const r of reads) d.push(r, (p) => { if (!p.length) throw new Error("empty payload emitted"); out.push(Buffer.from(p)); });
  return Buffer.concat(out).toString();
}

test("frames of stdout and stderr, split at every point into two and three reads, give the payloads in order", (t) => {
  const stream = Buffer.concat([frame(1, "hello "), frame(2, "err\n"), frame(1, ""), frame(1, "world\n")]);
  for (let i = 0; i <= stream.length; i++) {
    for (let j = i; j <= stream.length; j++) {
      const got = demux([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
      if (got !== "hello err\nworld\n") return t.fail(`split at ${i}, ${j}: ${JSON.stringify(got)}`);
    }
  }
  t.pass();
});

test("many frames in random reads (seeded): every payload byte once, in order", (t) => {
  const r = prng(16);
  const payloads = Array.from({ length: 500 }, (_, i) => `${i}:${"x".repeat(r.int(5000))}\n`);
  const stream = Buffer.concat(payloads.map((p) => frame(1 + r.int(2), p)));
  const reads: Buffer[] = [];
  for (let pos = 0; pos < stream.length;) {
    const n = 1 + r.int(70_000);
    reads.push(stream.subarray(pos, pos + n));
    pos += n;
  }
  t.is(demux(reads), payloads.join(""));
});

test("a stream that is not multiplexed passes through unchanged", (t) => {
  t.is(demux([Buffer.from("plain output, "), Buffer.from("no frames\n")]), "plain output, no frames\n");
});
