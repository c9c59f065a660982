// One build as GetBuild answers it: with its runs and its status history.
// The REST route GET /projects/{p}/builds/{n}/ serves the same document.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BuildStatusEventSchema, type Build } from "../../gen/jobserv/v1/build_pb.js";
import { resolveBuild } from "../builds/lookup.js";
import type { Store } from "../store/db.js";
import { listBuildEvents } from "../store/build-events.js";
import { listRunsOfBuilds } from "../store/runs.js";
import { toBuild } from "./convert.js";

export async function buildDocument(store: Store, project: string, number: number): Promise<Build> {
  const { build } = await resolveBuild(store, project, number);
  const [runs, events] = await Promise.all([listRunsOfBuilds(store.db, [build.id]), listBuildEvents(store.db, build.id)]);
  const doc = toBuild(build, project, runs);
  doc.statusEvents = events.map((e) => create(BuildStatusEventSchema, { status: e.status, time: timestampFromMs(e.time) }));
  return doc;
}
