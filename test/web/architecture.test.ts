// Rules for the front end (web/): it is one more API client, so it imports
// only itself, gen/ and the browser-side npm packages (never server/,
// worker/, cli/ or the Node-side common/); it never builds markup from
// strings (text goes in as text: log lines and names cannot become HTML);
// and its files follow the house rules (header comment, at most 400 lines).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import test from "ava";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PACKAGES = new Set(["@connectrpc/connect", "@connectrpc/connect-web", "@bufbuild/protobuf", "@bufbuild/protobuf/wkt"]);

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(ROOT, rel)).isDirectory() ? sources(rel) : /\.(ts|css)$/.test(rel) ? [rel] : [];
  });
}

const files = sources("web");

test("web/ imports only web/, gen/ and browser-side packages", (t) => {
  const bad = files.filter((f) => f.endsWith(".ts")).flatMap((f) => {
    const text = readFileSync(path.join(ROOT, f), "utf8");
    return [...text.matchAll(/from\s+["']([^"']+)["']|import\(["']([^"']+)["']\)/g)].map((m) => m[1] ?? m[2]!).filter((spec) => {
      if (!spec.startsWith(".")) return !PACKAGES.has(spec);
      const target = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, f)), spec));
      return !target.startsWith("web/") && !target.startsWith("gen/");
    }).map((spec) => `${f} -> ${spec}`);
  });
  t.deepEqual(bad, []);
});

test("web/ never turns strings into markup", (t) => {
  const bad = files.filter((f) => /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|new Function|\beval\(/.test(readFileSync(path.join(ROOT, f), "utf8")));
  t.deepEqual(bad, []);
});

test("web/ files start with a header comment and stay under 400 lines", (t) => {
  t.true(files.length > 10);
  const bare = files.filter((f) => !/^(\/\/|\/\*)/.test(readFileSync(path.join(ROOT, f), "utf8")));
  const big = files.filter((f) => readFileSync(path.join(ROOT, f), "utf8").split("\n").length > 400);
  t.deepEqual({ bare, big }, { bare: [], big: [] });
});
