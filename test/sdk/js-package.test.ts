// The TypeScript/JavaScript SDK as another project gets it: `npm pack` (its
// prepack step builds dist/gen: JavaScript plus .d.ts from gen/), installed
// into a fresh project with npm (from npm's cache where it can), then imported
// with plain `node` (no TypeScript loader) to list a live server's builds,
// and type-checked by tsc through the package's `exports`.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { TEST_ADMIN_TOKEN } from "../support/auth.js";
import { ROOT } from "../support/cli.js";
import { apiClient } from "../support/clients.js";
import { startTestServer } from "../support/server.js";

const run = promisify(execFile);
const NPM = "npm"; // from PATH, beside the node that runs the tests

const CLIENT = `
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { BuildService } from "jobserv/gen/jobserv/v1/build_pb.js";
import { Status } from "jobserv/gen/jobserv/v1/status_pb.js";

const [url, token] = process.argv.slice(2);
const bearer = (next) => (req) => { req.header.set("authorization", \`Bearer \${token}\`); return next(req); };
const builds = createClient(BuildService, createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [bearer] }));
const { builds: list } = await builds.listBuilds({ project: "sdk" });
console.log(JSON.stringify(list.map((b) => [b.number, Status[b.status]])));
`;

const TYPED = `
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { BuildService, type Build } from "jobserv/gen/jobserv/v1/build_pb.js";

export async function newest(url: string): Promise<number> {
  const builds: Client<typeof BuildService> = createClient(BuildService, createConnectTransport({ baseUrl: url, httpVersion: "1.1" }));
  const first: Build | undefined = (await builds.listBuilds({ project: "sdk", pageSize: 1 })).builds[0];
  return first?.number ?? 0;
}
`;

test("npm pack, install in another project, import with plain node and type-check", async (t) => {
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

  const server = await startTestServer(t, "sqlite");
  await apiClient(ProjectService, server.url).createProject({ name: "sdk", definitionYaml: "timeout: 1\ntriggers:\n  - name: t\n    type: simple\n    runs: [{name: r, container: img, host-tag: nowhere, script: s}]\nscripts:\n  s: echo\n" });
  for (let i = 0; i < 2; i++) await apiClient(BuildService, server.url).triggerBuild({ project: "sdk" });
  writeFileSync(path.join(project, "client.mjs"), CLIENT);
  const listed = await run(process.execPath, ["client.mjs", server.url, TEST_ADMIN_TOKEN], { cwd: project });
  t.deepEqual(JSON.parse(listed.stdout), [[2, "QUEUED"], [1, "QUEUED"]]);

  writeFileSync(path.join(project, "typed.ts"), TYPED);
  writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2023", strict: true, noEmit: true, skipLibCheck: true, types: [] },
    files: ["typed.ts"],
  }));
  const tsc = path.join(ROOT, "node_modules", ".bin", "tsc");
  const checked = await run(tsc, ["-p", "tsconfig.json"], { cwd: project }).then(() => "", (e: { stdout: string }) => e.stdout);
  t.is(checked, "", "the declarations resolve through the package's exports");
});
