// The event JSON of a GitHub delivery in either content type GitHub's webhook
// form offers (pure): `application/json` (the body is the JSON) and
// `application/x-www-form-urlencoded` (the JSON is the form field `payload`).
// The signature covers the raw body in both, so this runs after it is checked.
import { InvalidArgumentError } from "../../errors.js";
import { parseJsonObject, type Json } from "../payload.js";

export function githubEventJson(body: Buffer, contentType: string | undefined): Json {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return parseJsonObject(body);
  const payload = new URLSearchParams(body.toString("utf8")).get("payload");
  if (payload === null) throw new InvalidArgumentError("body: a form delivery without its payload field");
  return parseJsonObject(Buffer.from(payload, "utf8"));
}
