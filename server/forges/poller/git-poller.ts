// The git poller: watches the refs of git_poller triggers (GIT_URL,
// GIT_POLL_REFS fnmatch patterns, GIT_POLL_INTERVAL seconds or the configured
// default) and starts one build with GIT_URL, GIT_REF, GIT_OLD_SHA, GIT_SHA
// when a matching ref moves. Across instances exactly one polls (the holder
// of the "git-poller" lease in the store); a ref's first sighting is only
// recorded; each change is claimed by a compare-and-set of the ref's stored
// SHA before its build is created, so neither a second instance nor a restart
// triggers one change twice (a crash between the two loses that build
// rather than doubling it). `[skip ci]`/`[ci skip]` head commits build nothing.
// Private repositories: the trigger's `githubtok`, or `gitlabtok` (with
// `gitlabuser` if set), is sent as Basic auth (common/git-auth.ts).
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { triggerBuild, type TriggerDeps } from "../../builds/trigger.js";
import { acquireLease, advanceRef, lastSeenSha, releaseLease, type PolledRef } from "../../store/forges.js";
import { triggersOfType } from "../../store/projects.js";
import { hasSkipCi } from "../skip-ci.js";
import { commitMessage, initScratchRepo } from "./commit-message.js";
import { matchesAny } from "./fnmatch.js";
import { listRefs } from "./list-refs.js";
import { gitAuthorization } from "../../../common/git-auth.js";
import { getTriggerSecrets } from "../../secrets/trigger-secrets.js";
import type { Logger } from "../../logger.js";

export interface GitPollerConfig {
  /** Default interval per repository; a trigger's GIT_POLL_INTERVAL (seconds) overrides it. */
  intervalMs: number;
  log: Logger;
}

const LEASE = "git-poller";

interface Watch {
  projectId: number;
  project: string;
  trigger: string;
  url: string;
  patterns: string;
  intervalMs: number;
}

export class GitPoller {
  private readonly holder = randomUUID();
  private readonly nextDue = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private scratch: string | undefined;
  private stopped = false;

  constructor(private readonly deps: TriggerDeps, private readonly config: GitPollerConfig) {}

  /** How often the loop wakes: often enough for the shortest interval, at most every 5 s. */
  private get tickMs(): number {
    return Math.max(50, Math.min(this.config.intervalMs, 5000));
  }

  start(): void {
    const loop = () => {
      this.running = this.tick().catch((e: unknown) => this.config.log.error({ err: e }, "git poller failed")).finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.tickMs);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await releaseLease(this.deps.store.db, LEASE, this.holder).catch(() => {});
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
  }

  private async tick(): Promise<void> {
    const now = this.deps.now();
    if (!(await acquireLease(this.deps.store.db, LEASE, this.holder, now, Math.max(15_000, 3 * this.tickMs)))) return;
    for (const w of await this.watches()) {
      if (this.stopped) return;
      const key = `${w.projectId}\n${w.trigger}\n${w.url}`;
      if ((this.nextDue.get(key) ?? 0) > this.deps.now()) continue;
      this.nextDue.set(key, this.deps.now() + w.intervalMs);
      try {
        await this.poll(w);
      } catch (e) {
        this.config.log.warn({ project: w.project, trigger: w.trigger, url: w.url, err: (e as Error).message }, "git poller: cannot read refs");
      }
    }
  }

  private async watches(): Promise<Watch[]> {
    const rows = await triggersOfType(this.deps.store.db, "git_poller");
    const out: Watch[] = [];
    for (const row of rows) {
      try {
        const spec = (await this.deps.lifecycle.definitions.parse(row.definition_yaml)).triggers.find((t) => t.name === row.trigger);
        const url = spec?.params["GIT_URL"];
        if (!spec || !url) continue;
        const seconds = Number(spec.params["GIT_POLL_INTERVAL"]);
        out.push({
          projectId: row.id, project: row.name, trigger: row.trigger, url,
          patterns: spec.params["GIT_POLL_REFS"] ?? "refs/heads/*",
          intervalMs: seconds > 0 ? seconds * 1000 : this.config.intervalMs,
        });
      } catch (e) {
        this.config.log.warn({ project: row.name, err: (e as Error).message }, "git poller: cannot read the project");
      }
    }
    return out;
  }

  /** The trigger's forge token as git credentials, if it has one. */
  private async credentials(w: Watch): Promise<string | undefined> {
    const s = await getTriggerSecrets(this.deps.store, this.deps.cipher, w.projectId, w.trigger);
    if (s["githubtok"]) return s["githubtok"];
    if (s["gitlabtok"]) return s["gitlabuser"] ? `${s["gitlabuser"]}:${s["gitlabtok"]}` : s["gitlabtok"];
    return undefined;
  }

  private async poll(w: Watch): Promise<void> {
    const authorization = gitAuthorization(w.url, await this.credentials(w));
    const refs = await listRefs(w.url, authorization);
    for (const [ref, sha] of refs) {
      if (!matchesAny(ref, w.patterns)) continue;
      const polled: PolledRef = {
        projectId: w.projectId, triggerName: w.trigger, url: w.url, ref,
        refKey: createHash("sha256").update(`${w.trigger}\n${w.url}\n${ref}`).digest("hex"),
      };
      const old = await lastSeenSha(this.deps.store.db, polled);
      if (old === sha) continue;
      if (!(await advanceRef(this.deps.store.db, polled, old, sha, this.deps.now())) || old === undefined) continue;
      if (await this.skipCi(w.url, ref, sha, authorization)) continue;
      const params = { GIT_URL: w.url, GIT_REF: ref, GIT_OLD_SHA: old, GIT_SHA: sha };
      await triggerBuild(this.deps, { project: w.project, triggerName: w.trigger, params, reason: `git_poller: ${ref} of ${w.url} moved ${old.slice(0, 12)}..${sha.slice(0, 12)}` });
    }
  }

  private async skipCi(url: string, ref: string, sha: string, authorization: string | undefined): Promise<boolean> {
    try {
      if (!this.scratch) {
        this.scratch = mkdtempSync(path.join(os.tmpdir(), "jobserv-poller-"));
        await initScratchRepo(this.scratch);
      }
      return hasSkipCi(await commitMessage(this.scratch, url, ref, sha, authorization));
    } catch (e) {
      // Building once too often beats silently missing a change.
      this.config.log.warn({ sha, err: (e as Error).message }, "git poller: cannot read the commit message; building it");
      return false;
    }
  }
}
