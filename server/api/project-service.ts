// ProjectService: thin handlers over the store and the YAML parser.
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { ProjectService } from "../../gen/jobserv/v1/project_pb.js";
import { resolveProject } from "../builds/lookup.js";
import { AlreadyExistsError } from "../errors.js";
import { parseProjectDefinition } from "../projects/parse.js";
import { setTriggerSecrets } from "../secrets/trigger-secrets.js";
import { deleteProject, findProjectByName, insertProject, listProjects, syncTriggers, updateProjectDefinition } from "../store/projects.js";
import { decodePageToken, encodePageToken, pageSize, toProject } from "./convert.js";
import type { ApiDeps } from "./deps.js";
import { mapErrors } from "./errors.js";

const PROJECT_NAME = /^[A-Za-z0-9._-]{1,80}$/;

function checkName(name: string): void {
  if (!PROJECT_NAME.test(name) || name === "." || name === "..") {
    throw new ConnectError(`name: "${name}" must be 1-80 characters of A-Z a-z 0-9 . _ -`, Code.InvalidArgument);
  }
}

const triggerNamesOf = (yaml: string) => parseProjectDefinition(yaml).triggers.map((t) => t.name);

export function createProjectService(deps: ApiDeps): ServiceImpl<typeof ProjectService> {
  const { store, now } = deps;
  return mapErrors<ServiceImpl<typeof ProjectService>>({
    async createProject(req) {
      checkName(req.name);
      const def = parseProjectDefinition(req.definitionYaml);
      if (await findProjectByName(store.db, req.name)) throw new AlreadyExistsError(`project "${req.name}" already exists`);
      let row;
      try {
        row = await insertProject(store.db, req.name, req.definitionYaml, now());
      } catch (e) {
        if (await findProjectByName(store.db, req.name)) throw new AlreadyExistsError(`project "${req.name}" already exists`);
        throw e;
      }
      await syncTriggers(store.db, row.id, def.triggers);
      return { project: toProject(row, def.triggers.map((t) => t.name)) };
    },
    async updateProject(req) {
      const def = parseProjectDefinition(req.definitionYaml);
      const project = await resolveProject(store, req.name);
      await updateProjectDefinition(store.db, project.id, req.definitionYaml, now());
      await syncTriggers(store.db, project.id, def.triggers);
      const row = await resolveProject(store, req.name);
      return { project: toProject(row, def.triggers.map((t) => t.name)) };
    },
    async getProject(req) {
      const row = await resolveProject(store, req.name);
      return { project: toProject(row, triggerNamesOf(row.definition_yaml)) };
    },
    async listProjects(req) {
      const limit = pageSize(req.pageSize, 100);
      const rows = await listProjects(store.db, req.pageToken ? decodePageToken(req.pageToken) : "", limit + 1);
      const page = rows.slice(0, limit);
      return {
        projects: page.map((r) => toProject(r, triggerNamesOf(r.definition_yaml))),
        nextPageToken: rows.length > limit ? encodePageToken(page[page.length - 1]!.name) : "",
      };
    },
    async setTriggerSecrets(req) {
      const project = await resolveProject(store, req.project);
      return { secretNames: await setTriggerSecrets(store, deps.cipher, project.id, req.triggerName, req.secrets, req.replace) };
    },
    async deleteProject(req) {
      const row = await resolveProject(store, req.name);
      await deleteProject(store.db, row.id);
      return {};
    },
  });
}
