// Tables of the pages: a caption for screen readers, header cells, and a body
// the page keeps up to date (dom.ts keyed()).
import { h } from "./dom.js";

export function table(caption: string, headers: string[], body: HTMLTableSectionElement, cls = ""): HTMLElement {
  return h("div", { class: "table-wrap" },
    h("table", { class: cls },
      h("caption", { class: "sr-only" }, caption),
      h("thead", null, h("tr", null, headers.map((t) => h("th", { scope: "col" }, t)))),
      body));
}

/** Maps `items` with at most `limit` calls of `fn` in flight. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
