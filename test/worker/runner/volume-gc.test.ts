// Persistent volume garbage collection on real folders: volumes unused past
// the age are removed (and then their empty project folder), recently used
// ones and those of runs in progress stay.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "ava";
import { collectVolumes, markVolumeUsed } from "../../../worker/runner/volume-gc.js";

const DAY = 86_400_000;

test("volumes unused for N days go; fresh ones and those in use stay", async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), "jobserv-volumes-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const vol = (project: string, name: string, ageDays: number) => {
    const dir = path.join(root, project, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "cache.bin"), "x");
    const when = new Date(Date.now() - ageDays * DAY);
    utimesSync(dir, when, when);
    return dir;
  };
  vol("old-project", "ccache", 10);
  const busy = vol("p", "busy", 10);
  vol("p", "stale", 8);
  const fresh = vol("p", "fresh", 1);
  const reused = vol("p", "reused", 9);
  await markVolumeUsed(reused);
  const removed = await collectVolumes(root, 7 * DAY, new Set([busy]));
  t.deepEqual(removed.sort(), ["old-project/ccache", "p/stale"]);
  t.false(existsSync(path.join(root, "old-project")), "an emptied project folder goes too");
  for (const dir of [busy, fresh, reused]) t.true(existsSync(path.join(dir, "cache.bin")), dir);
});
