// The TypeScript/JavaScript SDK as another project gets it: `npm pack` (its
// prepack step builds dist/gen: JavaScript plus .d.ts from gen/), installed
// into a fresh project with npm (from npm's cache where it can). README's
// TypeScript client, as written, is type-checked by tsc through the package's
// `exports` and run by plain `node` (its own type stripping, no loader): it
// lists a live server's builds and follows a run's log.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { ROOT } from "../support/cli.js";
import { readmeBlock } from "../support/readme.js";
import { serverWithBuilds } from "../support/sdk-server.js";

const run = promisify(execFile);
const NPM = "npm"; // from PATH, beside the node that runs the tests

test("npm pack, install in another project; README's TypeScript client type-checks and runs with plain node", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "jobserv-sdk-js-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const npmEnv = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };

  const packed = await run(NPM, ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, env: npmEnv, maxBuffer: 64 << 20 });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  const files = info!.files.map((f) => f.path);
  for (const f of ["dist/gen/jobserv/v1/build_pb.js", "dist/gen/jobserv/v1/build_pb.d.ts", "gen/jobserv/v1/build_pb.ts", "cli/jobserv.js", "package.json"]) {
    t.true(files.includes(f), `the package has ${f}`);
  }
  t.false(files.some((f) => f.startsWith("test/") || f.startsWith("bench/")), "no tests or benchmarks in the package");

  const project = path.join(dir, "consumer");
  await run("mkdir", ["-p", project]);
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // Scripts off: the SDK needs none of the server's native add-ons built.
  await run(NPM, ["install", "--prefer-offline", "--ignore-scripts", "--no-package-lock", path.join(dir, info!.filename)], { cwd: project, env: npmEnv, maxBuffer: 64 << 20 });
  t.true(readdirSync(path.join(project, "node_modules", "jobserv", "dist", "gen", "jobserv", "v1")).includes("build_pb.js"));

  writeFileSync(path.join(project, "client.ts"), readmeBlock("sdk-typescript"));
  writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({
    // Node's types as a consumer would have them (@types/node), from this repository's node_modules.
    compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2023", strict: true, noEmit: true, skipLibCheck: true,
      types: ["node"], typeRoots: [path.join(ROOT, "node_modules", "@types")] },
    files: ["client.ts"],
  }));
  const tsc = path.join(ROOT, "node_modules", ".bin", "tsc");
  const checked = await run(tsc, ["-p", "tsconfig.json"], { cwd: project }).then(() => "", (e: { stdout: string }) => e.stdout);
  t.is(checked, "", "the declarations resolve through the package's exports");

  const url = await serverWithBuilds(t);
  const listed = await run(process.execPath, ["client.ts"], { cwd: project, env: { ...process.env, JOBSERV_URL: url, JOBSERV_TOKEN: TEST_ADMIN_TOKEN } });
  t.is(listed.stdout, "build 2 QUEUED\nbuild 1 PASSED\nline one\nline two\n");
});
