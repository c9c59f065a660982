// Content negotiation for the URLs that are both a web page and a JSON
// document: a browser (its Accept ranks text/html above JSON) gets the page;
// `Accept: application/json`, `*/*` or no Accept at all get JSON, as before.

interface Range { type: string; q: number; order: number }

function parseAccept(accept: string): Range[] {
  return accept.split(",").map((part, order) => {
    const [type = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    const value = q ? Number(q.slice(2)) : 1;
    return { type, q: Number.isFinite(value) ? value : 0, order };
  }).filter((r) => r.type);
}

/** The quality `ranges` give `type`: its own entry, else `major/*`, else `*\/*` (0 if none). */
function quality(ranges: Range[], type: string, wildcards: boolean): { q: number; order: number } {
  const exact = ranges.find((r) => r.type === type);
  if (exact) return exact;
  if (!wildcards) return { q: 0, order: Infinity };
  const major = ranges.find((r) => r.type === `${type.split("/")[0]}/*`) ?? ranges.find((r) => r.type === "*/*");
  return major ?? { q: 0, order: Infinity };
}

/**
 * True when the request asks for HTML over JSON. HTML must be named
 * explicitly (text/html or application/xhtml+xml): a wildcard alone never
 * turns an API client's request into a page. Equal qualities go to the
 * range listed first.
 */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  const html = [quality(ranges, "text/html", false), quality(ranges, "application/xhtml+xml", false)]
    .reduce((a, b) => (b.q > a.q || (b.q === a.q && b.order < a.order) ? b : a));
  if (html.q <= 0) return false;
  const json = quality(ranges, "application/json", true);
  return html.q > json.q || (html.q === json.q && html.order < json.order);
}

/** True unless the request's Accept rules HTML out (no Accept, or a wildcard, accepts it). */
export function acceptsHtml(accept: string | undefined): boolean {
  if (!accept) return true;
  const ranges = parseAccept(accept);
  return [quality(ranges, "text/html", true), quality(ranges, "application/xhtml+xml", true)].some((r) => r.q > 0);
}
