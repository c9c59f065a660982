// The web front end's files, built from the TypeScript in web/ by esbuild on
// first need and kept in memory for the life of the process (about 0.3 s of
// one core, once): `npm run dev`, `npm test`, `jobserv server` from a fresh
// clone and a production image all serve the pages with no build step to
// remember, and what is served always matches the code beside it. Names carry
// a hash of their content (`main-<hash>.js`): the same sources give the same
// names on every instance, wherever it runs from, so they are cached for a
// year. js and css are kept compressed (gzip, brotli) as well. A failed build
// is logged and retried on the next request; until then pages answer 503 and
// the API is unaffected.
import { createHash } from "node:crypto";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Logger } from "../logger.js";

export interface WebFile {
  body: Buffer;
  gzip?: Buffer;
  brotli?: Buffer;
  contentType: string;
  etag: string;
}

export interface WebBundle {
  /** By file name, e.g. `main-5FJ2K3.js`. */
  files: Map<string, WebFile>;
  /** File names of the entry points the HTML document loads. */
  script: string;
  style: string;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".map": "application/json",
};

/** The repository's web/ folder (beside server/). */
export const WEB_DIR = path.resolve(import.meta.dirname, "../../web");

export class WebAssets {
  private pending: Promise<WebBundle> | undefined;

  constructor(private readonly webDir: string, private readonly log: Logger) {}

  /** The built bundle: built by the first caller, shared by the rest. */
  bundle(): Promise<WebBundle> {
    this.pending ??= buildBundle(this.webDir).then((b) => {
      this.log.debug({ files: [...b.files.keys()] }, "web assets built");
      return b;
    }, (e: unknown) => {
      this.pending = undefined;
      this.log.error({ err: e }, "web assets could not be built");
      throw e;
    });
    return this.pending;
  }
}

async function buildBundle(webDir: string): Promise<WebBundle> {
  // Imported on first use: servers that never serve a page never load esbuild.
  const { build } = await import("esbuild");
  const root = path.dirname(webDir);
  const result = await build({
    entryPoints: { main: path.join(webDir, "main.ts"), style: path.join(webDir, "style.css") },
    absWorkingDir: root,
    outdir: path.join(root, "assets"), // nothing is written: write is false
    bundle: true, format: "esm", target: ["es2022"], minify: true, sourcemap: "external",
    write: false, logLevel: "silent", charset: "utf8", legalComments: "none",
  });
  const output = (name: string) => {
    const out = result.outputFiles.find((o) => path.basename(o.path) === name);
    if (!out) throw new Error(`web bundle: no ${name} in esbuild's output`);
    return Buffer.from(out.contents);
  };
  const files = new Map<string, WebFile>();
  // Named by a hash of what is served, not esbuild's [hash] (which also covers
  // source map paths, and so the folder the server runs from).
  const add = (stem: string, ext: ".js" | ".css") => {
    const code = output(`${stem}${ext}`);
    const name = `${stem}-${createHash("sha256").update(code).digest("hex").slice(0, 12)}${ext}`;
    const mapComment = ext === ".js" ? `\n//# sourceMappingURL=${name}.map\n` : `\n/*# sourceMappingURL=${name}.map */\n`;
    files.set(name, webFile(Buffer.concat([code, Buffer.from(mapComment)]), ext, true));
    files.set(`${name}.map`, webFile(output(`${stem}${ext}.map`), ".map", false));
    return name;
  };
  return { files, script: add("main", ".js"), style: add("style", ".css") };
}

function webFile(body: Buffer, ext: string, compress: boolean): WebFile {
  return {
    body, contentType: TYPES[ext] ?? "application/octet-stream",
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
    ...(compress ? {
      gzip: gzipSync(body, { level: 9 }),
      brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    } : {}),
  };
}
