// The runner's output path (worker/runner/masked-output.ts): secrets are
// masked before the reporter sees a byte, held-back bytes reach the reporter
// after a quiet time (a live tail does not wait for the run's end), and
// flush() hands over the rest and waits for delivery.
import test from "ava";
import type { Status } from "../../../gen/jobserv/v1/status_pb.js";
import { MaskedOutput } from "../../../worker/runner/masked-output.js";
import type { Reporter } from "../../../worker/runner/reporter.js";

/** The reporter boundary (the server, or the simulator's stdout), recorded. */
class RecordingReporter implements Reporter {
  readonly writes: Buffer[] = [];
  flushes = 0;
  write(data: Uint8Array): void { this.writes.push(Buffer.from(data)); }
  async flush(): Promise<void> { this.flushes++; }
  async status(_s: Status, _m: string): Promise<void> {}
  async uploadArtifact(): Promise<void> {}
  async reportTests(): Promise<void> {}
  get text(): string { return Buffer.concat(this.writes).toString("utf8"); }
}

const until = async (check: () => boolean, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

test("a secret split across container writes reaches the reporter masked; the tail comes after the quiet time", async (t) => {
  const reporter = new RecordingReporter();
  const out = new MaskedOutput(reporter, ["tok-12345678"], 50);
  out.write("token=tok-1234");
  out.write("5678 done");
  t.false(reporter.text.includes("tok-"), "nothing of the secret so far");
  await until(() => reporter.text === "token=*** done");
  t.is(reporter.flushes, 0);
  out.write("\nbye\n");
  await out.flush();
  t.is(reporter.text, "token=*** done\nbye\n");
  t.is(reporter.flushes, 1);
});

test("without secrets (or a run token shorter than the minimum) bytes go through at once, unchanged", async (t) => {
  const reporter = new RecordingReporter();
  const out = new MaskedOutput(reporter, ["abc"], 10_000);
  out.write(Buffer.from([0xe2, 0x82]));
  out.write(Buffer.from([0xac, 0x0a]));
  t.is(reporter.text, "€\n");
  await out.flush();
  t.is(reporter.flushes, 1);
});
