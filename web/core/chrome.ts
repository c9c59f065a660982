// The frame of every page: a skip link, the header (home, workers for
// admins, who is signed in with a sign-out button, or a sign-in link), the
// main landmark the page renders into, breadcrumbs, titles and notices.
import { h } from "./dom.js";
import { can, type PageContext } from "./page-context.js";

export function layout(ctx: PageContext): HTMLElement {
  const here = location.pathname + location.search;
  const viewer = ctx.viewer;
  const account = viewer
    ? h("form", { method: "post", action: "/logout", class: "account" },
      h("span", { class: "who", title: viewer.expiresAt ? `session until ${new Date(viewer.expiresAt).toLocaleString()}` : "" },
        viewer.name, " ", h("span", { class: "scope" }, viewer.scope)),
      h("button", { type: "submit", class: "link" }, "Sign out"))
    : h("a", { href: `/login?${new URLSearchParams({ next: here })}`, class: "account" }, "Sign in");
  const main = h("main", { id: "main", tabindex: "-1" });
  document.body.replaceChildren(
    h("a", { href: "#main", class: "skip" }, "Skip to content"),
    h("header", { class: "top" },
      h("nav", { "aria-label": "Site" },
        h("a", { href: "/", class: "brand" }, "jobserv"),
        h("a", { href: "/" }, "Projects"),
        can(viewer, "admin") ? h("a", { href: "/workers/" }, "Workers") : null),
      account),
    main,
  );
  return main;
}

export function setTitle(...parts: string[]): void {
  document.title = [...parts, "jobserv"].join(" · ");
}

/** Where the page is: each item a label and, except the last, a link. */
export function breadcrumb(items: [string, string?][]): HTMLElement {
  return h("nav", { "aria-label": "Breadcrumb", class: "crumbs" },
    h("ol", null, items.map(([label, href], i) => h("li", null,
      href && i < items.length - 1 ? h("a", { href }, label) : h("span", { "aria-current": "page" }, label)))));
}

export function notice(kind: "error" | "info", text: string): HTMLElement {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}
