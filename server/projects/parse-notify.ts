// Owns the build-notification keys shared by the top level and triggers: `email` and `webhooks`.
import { checkKeys, childPath, expectMap, expectSeq, opt, readBool, readString, req } from "./node-readers.js";
import type { EmailSpec, WebhookSpec } from "./schema.js";
import type { YNode } from "./yaml-source.js";

export function readEmail(node: YNode, path: string): EmailSpec {
  const map = expectMap(node, path);
  checkKeys(map, path, ["users", "only_failures"]);
  return {
    users: req(map, path, "users", readString),
    onlyFailures: opt(map, path, "only_failures", readBool) ?? false,
  };
}

export function readWebhooks(node: YNode, path: string): WebhookSpec[] {
  return expectSeq(node, path).items.map((item, i) => {
    const p = childPath(path, i);
    const map = expectMap(item, p);
    checkKeys(map, p, ["url", "secret_name", "only_failures"]);
    return {
      url: req(map, p, "url", readString),
      secretName: req(map, p, "secret_name", readString),
      onlyFailures: opt(map, p, "only_failures", readBool) ?? false,
    };
  });
}
