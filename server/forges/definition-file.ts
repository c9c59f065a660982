// A project definition file read out of a forge repository at one commit
// (JobServ's `definition_file`), named by the trigger param
// JOBSERV_DEFINITION_FILE: the path check and a bounded fetch of the raw
// file. The forges build the request (github/, gitlab/).
import { InvalidArgumentError } from "../errors.js";
import { DEFAULT_MAX_BYTES } from "../projects/parse.js";
import type { ApiRequest } from "./api-request.js";
import { HttpStatusError } from "./retry.js";

/** The github_pr / gitlab_mr trigger param naming the file, e.g. `.jobserv.yml`. */
export const DEFINITION_FILE_PARAM = "JOBSERV_DEFINITION_FILE";

/** The repository-relative path of the param's value; throws on absolute or `..` paths. */
export function definitionFilePath(value: string): string {
  const path = value.trim().replace(/^(\.\/)+/, "");
  const parts = path.split("/");
  if (path === "" || path.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new InvalidArgumentError(`${DEFINITION_FILE_PARAM}: "${value}" is not a relative path inside the repository`);
  }
  return path;
}

/** The file's text; HttpStatusError on non-2xx (404: no such file at that commit), Error when too large. */
export async function fetchDefinitionFile(req: ApiRequest, what: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string> {
  const res = await fetch(req.url, { method: req.method, headers: { "user-agent": "jobserv", ...req.headers }, signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new HttpStatusError(res.status, await res.text(), what);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`${what}: larger than ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`${what}: larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
