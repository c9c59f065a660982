// The jobserv package as an npm tarball, made from this installation's own
// files (package.json "files", package.json, README.md), so that
// `npx -y <server>/cli/jobserv-<version>-<id>.tgz simulate rundef.json` runs
// this very CLI on a machine that has Node and Docker but not the repository.
// The id is a digest of the packaged paths, sizes and modification times: it
// changes whenever the package does, and so does the URL (npx caches a
// package by its URL). The tarball itself is built in memory on first request.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { tarGz, type TarEntry } from "./tar.js";

/** The folder holding package.json: two up from server/cli-package/. */
export const PACKAGE_ROOT = path.resolve(import.meta.dirname, "../..");

interface Packaged { rel: string; abs: string; size: number; mtimeMs: number }

function walk(root: string, rel: string, out: Packaged[]): void {
  const abs = path.join(root, rel);
  let st;
  try {
    st = statSync(abs);
  } catch {
    return; // e.g. dist/ before `npm run build:sdk`
  }
  if (st.isDirectory()) {
    for (const name of readdirSync(abs).sort()) {
      if (name.startsWith(".") || name === "node_modules") continue;
      walk(root, rel ? `${rel}/${name}` : name, out);
    }
  } else if (st.isFile()) {
    out.push({ rel, abs, size: st.size, mtimeMs: st.mtimeMs });
  }
}

export class CliPackage {
  private listed: { version: string; files: Packaged[]; fileName: string } | undefined;
  private built: Buffer | undefined;

  /** Nothing is read until the package is first named or asked for. */
  constructor(readonly root: string = PACKAGE_ROOT) {}

  /** `jobserv-<version>-<id>.tgz`. */
  get fileName(): string {
    return this.list().fileName;
  }

  private list(): { version: string; files: Packaged[]; fileName: string } {
    if (this.listed) return this.listed;
    const manifest = JSON.parse(readFileSync(path.join(this.root, "package.json"), "utf8")) as { version: string; files?: string[] };
    const found: Packaged[] = [];
    for (const entry of ["package.json", "README.md", ...(manifest.files ?? [])]) walk(this.root, entry.replace(/\/+$/, ""), found);
    const files = [...new Map(found.map((f) => [f.rel, f])).values()].sort((a, b) => (a.rel < b.rel ? -1 : 1));
    const digest = createHash("sha256");
    for (const f of files) digest.update(`${f.rel}\0${f.size}\0${f.mtimeMs}\n`);
    this.listed = { version: manifest.version, files, fileName: `jobserv-${manifest.version}-${digest.digest("hex").slice(0, 12)}.tgz` };
    return this.listed;
  }

  /** The gzipped tarball, as `npm pack` lays it out (everything under package/). */
  tarball(): Buffer {
    this.built ??= tarGz(this.list().files.map((f): TarEntry => ({
      path: `package/${f.rel}`, mode: f.rel.startsWith("cli/") && f.rel.endsWith(".js") ? 0o755 : 0o644, data: readFileSync(f.abs),
    })));
    return this.built;
  }
}
