// The page is one more API client: the proto services through connect-web
// (Connect protocol over fetch, binary encoding) on this origin. The browser
// sends the session cookie itself; no token is ever visible to scripts.
import { createClient, type Client } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { BuildService } from "../../gen/jobserv/v1/build_pb.js";
import { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { RunService } from "../../gen/jobserv/v1/run_pb.js";
import { WorkerAdminService } from "../../gen/jobserv/v1/worker_admin_pb.js";

const transport = createConnectTransport({ baseUrl: location.origin, useBinaryFormat: true });

export const api: {
  projects: Client<typeof ProjectService>;
  builds: Client<typeof BuildService>;
  runs: Client<typeof RunService>;
  workers: Client<typeof WorkerAdminService>;
} = {
  projects: createClient(ProjectService, transport),
  builds: createClient(BuildService, transport),
  runs: createClient(RunService, transport),
  workers: createClient(WorkerAdminService, transport),
};

export { Code, ConnectError };

/** The error's message for people (without Connect's "[code]" prefix). */
export function messageOf(e: unknown): string {
  if (e instanceof ConnectError) return e.rawMessage;
  return e instanceof Error ? e.message : String(e);
}

export function codeOf(e: unknown): Code | undefined {
  return e instanceof ConnectError ? e.code : undefined;
}

/** The session ended while the page was open: sign in again, then come back here. */
export function signInAgain(): void {
  location.assign(`/login?${new URLSearchParams({ next: location.pathname + location.search + location.hash })}`);
}

/** True for a cancelled call (the page aborted it); those are not errors to show. */
export function isAbort(e: unknown): boolean {
  return (e instanceof ConnectError && e.code === Code.Canceled) || (e instanceof DOMException && e.name === "AbortError");
}

/** Every item of a paged list, following next_page_token (at most `max` items). */
export async function allPages<T>(page: (pageToken: string) => Promise<{ items: T[]; next: string }>, max = 5000): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  do {
    const { items, next } = await page(token);
    all.push(...items);
    token = next;
  } while (token && all.length < max);
  return all;
}
