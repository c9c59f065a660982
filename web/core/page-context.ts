// What the server told the page before any call (the JSON in the document,
// written by server/pages/shell.ts, whose PageContext this mirrors): who is
// signed in, and the answer's status.
export type ScopeName = "read" | "trigger" | "admin";

export interface Viewer {
  name: string;
  scope: ScopeName;
  /** Projects the token is limited to; empty: all. */
  projects: string[];
  /** When the session ends (ms since the epoch). */
  expiresAt?: number;
}

export interface PageContext {
  viewer: Viewer | null;
  status: number;
  error?: string;
}

export function readPageContext(): PageContext {
  const el = document.getElementById("jobserv-page");
  try {
    return JSON.parse(el?.textContent ?? "") as PageContext;
  } catch {
    return { viewer: null, status: 200 };
  }
}

const RANK: Record<ScopeName, number> = { read: 1, trigger: 2, admin: 3 };

/**
 * Whether the viewer's token allows `need` on `project` (no project: an
 * unrestricted token). Only decides which buttons to show: the server
 * refuses the calls anyway.
 */
export function can(viewer: Viewer | null, need: ScopeName, project?: string): boolean {
  if (!viewer || RANK[viewer.scope] < RANK[need]) return false;
  return project === undefined ? viewer.projects.length === 0 : viewer.projects.length === 0 || viewer.projects.includes(project);
}
