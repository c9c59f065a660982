// ProjectService: thin handlers over the store and the YAML parser.
import type { ServiceImpl } from "@connectrpc/connect";
import type { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { resolveProject } from "../builds/lookup.js";
import { AlreadyExistsError, InvalidArgumentError } from "../errors.js";
import { Scope } from "../../gen/jobserv/v1/token_pb.js";
import type { ProjectRow } from "../store/database.js";
import { listTriggerSecretNames, setTriggerSecrets } from "../secrets/trigger-secrets.js";
import { deleteProject, findProjectByName, insertProject, listProjects, projectTriggerNames, syncTriggers, updateProjectDefinition } from "../store/projects.js";
import { decodePageToken, encodePageToken, pageSize, toProject } from "./convert.js";
import type { ApiDeps } from "./deps.js";
import { deleteStoredArtifacts } from "../artifacts/run-artifacts.js";
import { pruneBuilds } from "../retention/prune.js";
import { setRetention } from "../store/retention.js";

const PROJECT_NAME = /^[A-Za-z0-9._-]{1,80}$/;

function checkName(name: string): void {
  if (!PROJECT_NAME.test(name) || name === "." || name === "..") {
    throw new InvalidArgumentError(`name: "${name}" must be 1-80 characters of A-Z a-z 0-9 . _ -`);
  }
}

function checkRetention(r: { keepBuilds: number; keepDays: number }): [number, number] {
  if (r.keepBuilds < 0) throw new InvalidArgumentError("retention.keep_builds: 0 (no limit) or more");
  if (r.keepDays < 0) throw new InvalidArgumentError("retention.keep_days: 0 (no limit) or more");
  return [r.keepBuilds, r.keepDays];
}

export function createProjectService(deps: ApiDeps): ServiceImpl<typeof ProjectService> {
  const { store, now } = deps;
  // Applying parses (off the event loop when large); reads take the trigger names stored then.
  const parse = (yaml: string) => deps.lifecycle.definitions.parse(yaml);
  const withTriggerNames = async (rows: ProjectRow[]) => {
    const names = await projectTriggerNames(store.db, rows);
    return rows.map((r) => toProject(r, names.get(r.id) ?? []));
  };
  return {
    async createProject(req, ctx) {
      await deps.authz.admin(ctx);
      checkName(req.name);
      const def = await parse(req.definitionYaml);
      if (await findProjectByName(store.db, req.name)) throw new AlreadyExistsError(`project "${req.name}" already exists`);
      let row;
      try {
        row = await insertProject(store.db, req.name, req.definitionYaml, now(), req.public, req.synchronousBuilds ?? def.synchronousBuilds ?? false);
      } catch (e) {
        if (await findProjectByName(store.db, req.name)) throw new AlreadyExistsError(`project "${req.name}" already exists`);
        throw e;
      }
      await syncTriggers(store.db, row.id, def.triggers);
      if (req.retention) await setRetention(store.db, row.id, ...checkRetention(req.retention));
      const [created] = await withTriggerNames([(await findProjectByName(store.db, req.name))!]);
      return { project: created! };
    },
    async updateProject(req, ctx) {
      await deps.authz.project(ctx, req.name, Scope.ADMIN);
      const def = req.definitionYaml ? await parse(req.definitionYaml) : undefined;
      const project = await resolveProject(store, req.name);
      await updateProjectDefinition(store.db, project.id, req.definitionYaml || project.definition_yaml, now(), req.public,
        req.synchronousBuilds ?? def?.synchronousBuilds);
      if (def) await syncTriggers(store.db, project.id, def.triggers);
      if (req.retention) await setRetention(store.db, project.id, ...checkRetention(req.retention));
      const [updated] = await withTriggerNames([await resolveProject(store, req.name)]);
      return { project: updated! };
    },
    async getProject(req, ctx) {
      await deps.authz.project(ctx, req.name, Scope.READ);
      const [project] = await withTriggerNames([await resolveProject(store, req.name)]);
      return { project: project! };
    },
    async listProjects(req, ctx) {
      const caller = await deps.authz.caller(ctx);
      const limit = pageSize(req.pageSize, 100);
      // Page over visible projects only: read batches until the page is full.
      const visible: ProjectRow[] = [];
      let after = req.pageToken ? decodePageToken(req.pageToken) : "";
      let rows = await listProjects(store.db, after, 200);
      while (rows.length && visible.length <= limit) {
        visible.push(...rows.filter((r) => deps.authz.access.canRead(caller, r)));
        after = rows[rows.length - 1]!.name;
        rows = rows.length < 200 ? [] : await listProjects(store.db, after, 200);
      }
      rows = visible;
      const page = rows.slice(0, limit);
      return {
        projects: await withTriggerNames(page),
        nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1]!.name) : "",
      };
    },
    async setTriggerSecrets(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.ADMIN);
      const project = await resolveProject(store, req.project);
      return { secretNames: await setTriggerSecrets(store, deps.cipher, project.id, req.triggerName, req.secrets, req.replace) };
    },
    async pruneBuilds(req, ctx) {
      await deps.authz.admin(ctx);
      if (req.project) await resolveProject(store, req.project);
      const pruned = await pruneBuilds({ store, storage: deps.artifacts, now }, { ...(req.project ? { project: req.project } : {}), dryRun: req.dryRun });
      return { builds: pruned.map((b) => ({ ...b, artifactBytes: BigInt(b.artifactBytes), logBytes: BigInt(b.logBytes) })) };
    },
    async listTriggerSecrets(req, ctx) {
      await deps.authz.project(ctx, req.project, Scope.ADMIN);
      const project = await resolveProject(store, req.project);
      return { secretNames: await listTriggerSecretNames(store, deps.cipher, project.id, req.triggerName) };
    },
    async deleteProject(req, ctx) {
      await deps.authz.project(ctx, req.name, Scope.ADMIN);
      const row = await resolveProject(store, req.name);
      await deleteProject(store.db, row.id);
      // The index rows went with the project; its files follow (a new project of the same name starts empty).
      await deleteStoredArtifacts(deps.artifacts, `${row.name}/`);
      return {};
    },
  };
}
