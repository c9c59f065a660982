// One build as GetBuild answers it: with its runs and its status history.
// The build, its runs and its events are read at once (three queries joined
// through the project's name, one round trip); access is decided on the
// project facts the build's row brings (`allow`) before anything is returned.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BuildStatusEventSchema, type Build } from "../../gen/jobserv/v1/build_pb.js";
import { NotFoundError } from "../errors.js";
import type { Store } from "../store/db.js";
import { findProjectAccess, readBuildByName, type ProjectAccessRow } from "../store/build-reads.js";
import { toBuild } from "./convert.js";

/** Throws when the caller may not read `project` (undefined: it does not exist). */
export type AllowProject = (project: ProjectAccessRow | undefined) => void;

export async function buildDocument(store: Store, project: string, number: number, allow: AllowProject): Promise<Build> {
  const { found, runs, events } = await readBuildByName(store.db, store.caps, project, number);
  if (!found) {
    const p = await findProjectAccess(store.db, project);
    allow(p);
    throw new NotFoundError(p ? `build ${project}#${number} not found` : `project "${project}" not found`);
  }
  allow(found.project);
  const doc = toBuild(found.build, project, runs);
  doc.statusEvents = events.map((e) => create(BuildStatusEventSchema, { status: e.status, time: timestampFromMs(e.time) }));
  return doc;
}
