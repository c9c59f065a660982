// The CLI package the server serves: its tarball is a valid, deterministic
// gzipped ustar that GNU tar extracts byte for byte (long paths included),
// laid out as npm pack does (package/...), with exactly package.json,
// README.md and the package.json "files"; its name changes when a packaged
// file does, and only then.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import test, { type ExecutionContext } from "ava";
import { CliPackage } from "../../../server/cli-package/cli-package.js";
import { tarGz } from "../../../server/cli-package/tar.js";
import { tempDir } from "../../support/temp-dir.js";

test("tarGz: GNU tar extracts every file byte for byte, long paths included; same input, same bytes", (t) => {
  const long = `package/${"deep/".repeat(30)}file-with-a-long-name.ts`;
  const binary = Buffer.from(Array.from({ length: 1500 }, (_, i) => i % 256));
  const entries = [
    { path: "package/package.json", mode: 0o644, data: Buffer.from('{"name":"x"}') },
    { path: "package/bin/x.js", mode: 0o755, data: Buffer.from("#!/usr/bin/env node\n") },
    { path: long, mode: 0o644, data: binary },
    { path: "package/empty", mode: 0o644, data: Buffer.alloc(0) },
  ];
  const archive = tarGz(entries);
  t.deepEqual(tarGz(entries), archive, "deterministic");
  const dir = tempDir(t, "jobserv-cli-package-");
  writeFileSync(path.join(dir, "a.tgz"), archive);
  t.deepEqual(execFileSync("tar", ["-tzf", "a.tgz"], { cwd: dir, encoding: "utf8" }).trim().split("\n"), entries.map((e) => e.path));
  execFileSync("tar", ["-xzf", "a.tgz"], { cwd: dir });
  for (const e of entries) t.deepEqual(readFileSync(path.join(dir, e.path)), e.data, e.path);
  t.regex(execFileSync("tar", ["-tvzf", "a.tgz"], { cwd: dir, encoding: "utf8" }), /-rwxr-xr-x .* package\/bin\/x\.js/);
});

test("CliPackage: package.json, README.md and the \"files\", under package/; the name follows the content", (t) => {
  const root = tempDir(t, "jobserv-cli-package-");
  writeFileSync(path.join(root, "package.json"), JSON.stringify({ name: "jobserv", version: "9.8.7", files: ["cli/", "gen/"] }));
  writeFileSync(path.join(root, "README.md"), "read me\n");
  mkdirSync(path.join(root, "cli"));
  writeFileSync(path.join(root, "cli", "jobserv.js"), "#!/usr/bin/env node\n");
  mkdirSync(path.join(root, "gen", "v1"), { recursive: true });
  writeFileSync(path.join(root, "gen", "v1", "a_pb.ts"), "export {};\n");
  mkdirSync(path.join(root, "test"));
  writeFileSync(path.join(root, "test", "x.test.ts"), "not packaged\n");
  mkdirSync(path.join(root, "cli", "node_modules"));
  writeFileSync(path.join(root, "cli", "node_modules", "junk.js"), "not packaged\n");

  const pkg = new CliPackage(root);
  t.regex(pkg.fileName, /^jobserv-9\.8\.7-[0-9a-f]{12}\.tgz$/);
  const out = tempDir(t, "jobserv-cli-package-");
  writeFileSync(path.join(out, pkg.fileName), pkg.tarball());
  t.deepEqual(execFileSync("tar", ["-tzf", pkg.fileName], { cwd: out, encoding: "utf8" }).trim().split("\n"),
    ["package/README.md", "package/cli/jobserv.js", "package/gen/v1/a_pb.ts", "package/package.json"]);
  t.regex(execFileSync("tar", ["-tvzf", pkg.fileName], { cwd: out, encoding: "utf8" }), /-rwxr-xr-x .* package\/cli\/jobserv\.js/, "the bin is executable");

  t.is(new CliPackage(root).fileName, pkg.fileName, "unchanged files: the same name");
  writeFileSync(path.join(root, "test", "x.test.ts"), "still not packaged, changed\n");
  t.is(new CliPackage(root).fileName, pkg.fileName, "a file outside the package changes nothing");
  writeFileSync(path.join(root, "gen", "v1", "a_pb.ts"), "export const changed = 1;\n");
  utimesSync(path.join(root, "gen", "v1", "a_pb.ts"), new Date(2030, 0, 1), new Date(2030, 0, 1));
  t.not(new CliPackage(root).fileName, pkg.fileName, "a changed packaged file: another name");
});
