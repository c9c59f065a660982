// The facts a worker reports: the distro (PRETTY_NAME from an os-release file,
// quoted or not) and free disk space where its directory is (or would be).
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { diskFree, prettyName } from "../../worker/facts.js";

test("PRETTY_NAME, unquoted and quoted; empty when missing", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-facts-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => { writeFileSync(path.join(dir, name), text); return path.join(dir, name); };
  t.is(prettyName(file("a", 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')), "Debian GNU/Linux 12 (bookworm)");
  t.is(prettyName(file("b", "PRETTY_NAME=Alpine\n")), "Alpine");
  t.is(prettyName(file("c", "PRETTY_NAME='Say \\\"hi\\\"'\n")), 'Say "hi"');
  t.is(prettyName(file("d", "ID=x\n")), "");
  t.is(prettyName(path.join(dir, "missing")), "");
});

test("free disk of the worker's directory, or of its nearest existing parent", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-facts-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const s = statfsSync(dir, { bigint: true });
  const expected = Number(s.bavail * s.bsize);
  const near = (v: bigint) => Math.abs(Number(v) - expected) < 256 * 1024 ** 2;
  t.true(near(diskFree(dir)), `${diskFree(dir)} vs ${expected}`);
  t.true(near(diskFree(path.join(dir, "not", "made", "yet"))), "a directory the worker has not made yet");
  t.true(diskFree(dir) > 0n);
});
