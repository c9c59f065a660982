// The run definition as readers (RPC, REST `.rundef.json`, the simulator's
// download) get it: the secret names the run has, each with an empty value.
import { fromJsonString } from "@bufbuild/protobuf";
import { RunDefinitionSchema, type RunDefinition } from "../../gen/jobserv/v1/run_definition_pb.js";
import type { RunRow } from "../store/database.js";
import type { SecretCipher } from "./cipher.js";

export function readerDefinition(run: RunRow, cipher: SecretCipher): RunDefinition {
  const def = fromJsonString(RunDefinitionSchema, run.definition_json);
  def.runId = BigInt(run.id);
  def.secrets = Object.fromEntries(Object.keys(cipher.openMap(run.secrets_enc)).map((name) => [name, ""]));
  return def;
}
