// A tiny element builder: h("a", { href, class: "x" }, "text", child...).
// Text always goes in as text nodes, never as HTML, so names, log lines and
// messages from the server can never become markup.
export type Child = Node | string | number | null | undefined | false | Child[];

type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/**
 * Keeps `parent`'s children in step with `items`: one element per key, made
 * by `render`, re-made only when `signature` changed (so a live list updated
 * every few hundred ms does not rebuild rows that did not change).
 */
export function keyed<T>(parent: Element, items: readonly T[], key: (t: T) => string, signature: (t: T) => string, render: (t: T) => Element): void {
  const old = new Map<string, Element>();
  for (const el of Array.from(parent.children)) old.set((el as HTMLElement).dataset["key"] ?? "", el);
  let at: Element | null = parent.firstElementChild;
  for (const item of items) {
    const k = key(item);
    const sig = signature(item);
    let el = old.get(k);
    if (!el || (el as HTMLElement).dataset["sig"] !== sig) {
      const fresh = render(item);
      (fresh as HTMLElement).dataset["key"] = k;
      (fresh as HTMLElement).dataset["sig"] = sig;
      if (el) {
        // The cursor may be the element being replaced: keep it on the live node.
        if (el === at) at = fresh;
        el.replaceWith(fresh);
      }
      el = fresh;
    }
    old.delete(k);
    if (el !== at) parent.insertBefore(el, at);
    else at = at.nextElementSibling;
  }
  for (const el of old.values()) el.remove();
}
