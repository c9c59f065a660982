// The web bundle (server/pages/web-bundle.ts) from a web/ folder of its own:
// built once and shared by concurrent callers, names that follow the content
// (and not the folder the server runs from, nor whether node_modules is a
// link), and a broken source that fails with esbuild's message and is built
// again once fixed (no restart needed).
import test from "ava";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger } from "../../../server/logger.js";
import { WebAssets } from "../../../server/pages/web-bundle.js";

function webDir(t: { teardown(f: () => void): void }, main: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "jobserv-web-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, "web");
  mkdirSync(dir);
  writeFileSync(path.join(dir, "main.ts"), main);
  writeFileSync(path.join(dir, "style.css"), "body { color: red }\n");
  return dir;
}

test("built once for concurrent callers, named by content; a broken source is reported and retried", async (t) => {
  const dir = webDir(t, "export const x: number = 1;\nconsole.log(x);\n");
  const assets = new WebAssets(dir, createLogger("silent"));
  const [one, two] = await Promise.all([assets.bundle(), assets.bundle()]);
  t.is(one, two, "one build shared");
  t.regex(one.script, /^main-[0-9a-f]{12}\.js$/);
  t.regex(one.style, /^style-[0-9a-f]{12}\.css$/);
  t.true(one.files.has(`${one.script}.map`), "a source map beside the script");
  t.regex(one.files.get(one.script)!.body.toString(), /console\.log/);

  const other = await new WebAssets(webDir(t, "export const x: number = 2;\nconsole.log(x);\n"), createLogger("silent")).bundle();
  t.not(other.script, one.script, "different code, different name");
  t.is(other.style, one.style, "same style, same name");

  const brokenDir = webDir(t, "export const x: number = ;\n");
  const broken = new WebAssets(brokenDir, createLogger("silent"));
  const e = await t.throwsAsync(broken.bundle());
  t.regex(e?.message ?? "", /main\.ts:1:\d+: ERROR: Unexpected ";"/);
  writeFileSync(path.join(brokenDir, "main.ts"), "export const x: number = 3;\nconsole.log(x);\n");
  t.regex((await broken.bundle()).script, /^main-/, "built on the next request once fixed");
});

test("the real web/ gets the same names from another folder, with node_modules copied instead of linked", async (t) => {
  const repo = path.resolve(import.meta.dirname, "../../..");
  const copy = mkdtempSync(path.join(os.tmpdir(), "jobserv-web-copy-"));
  t.teardown(() => rmSync(copy, { recursive: true, force: true }));
  cpSync(path.join(repo, "web"), path.join(copy, "web"), { recursive: true });
  cpSync(path.join(repo, "gen"), path.join(copy, "gen"), { recursive: true });
  for (const pkg of ["@bufbuild/protobuf", "@connectrpc/connect", "@connectrpc/connect-web"]) {
    cpSync(path.join(repo, "node_modules", pkg), path.join(copy, "node_modules", pkg), { recursive: true, dereference: true });
  }
  const linked = mkdtempSync(path.join(os.tmpdir(), "jobserv-web-link-"));
  t.teardown(() => rmSync(linked, { recursive: true, force: true }));
  for (const dir of ["web", "gen", "node_modules"]) symlinkSync(path.join(repo, dir), path.join(linked, dir));
  const names = async (dir: string) => {
    const b = await new WebAssets(path.join(dir, "web"), createLogger("silent")).bundle();
    return [b.script, b.style];
  };
  const [here, there, viaLinks] = await Promise.all([names(repo), names(copy), names(linked)]);
  t.deepEqual(there, here);
  t.deepEqual(viaLinks, here);
});
