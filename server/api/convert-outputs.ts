// Store rows of a run's outputs (artifacts, tests) -> API messages.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ArtifactSchema, type Artifact } from "../../gen/jobserv/v1/artifact_pb.js";
import { TestSchema, type Test } from "../../gen/jobserv/v1/test_pb.js";
import type { ArtifactRow } from "../store/database.js";
import type { TestWithResults } from "../store/tests.js";

export function toArtifact(row: ArtifactRow): Artifact {
  return create(ArtifactSchema, { path: row.path, size: BigInt(row.size), createTime: timestampFromMs(Number(row.created_at)) });
}

export function toTest(row: TestWithResults): Test {
  return create(TestSchema, {
    name: row.name, context: row.context, status: row.status, createTime: timestampFromMs(Number(row.created_at)),
    results: row.results.map((r) => ({ name: r.name, context: r.context, status: r.status, output: r.output })),
  });
}
