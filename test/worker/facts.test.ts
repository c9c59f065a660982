// The distro a worker reports: PRETTY_NAME from an os-release file, quoted or not.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { prettyName } from "../../worker/facts.js";

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
