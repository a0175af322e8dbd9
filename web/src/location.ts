import { useEffect, useState } from "preact/hooks";

/**
 * Client-side routing over real URLs (the history API): every view is a URL the server also answers with
 * this app, so a link can be shared, reloaded and gone back to.
 */

export type RepoType = "model" | "dataset" | "space";
export type DetailsTab = "card" | "files" | "performance" | "integration";

export type View =
  | { kind: "explorer"; query: URLSearchParams }
  | {
      kind: "repo";
      type: RepoType;
      id: string;
      tab: DetailsTab;
      /** For files: the revision and folder (`/tree/...`), a file (`/blob/...`), history or one commit. */
      files?: { mode: "tree" | "blob" | "commits" | "commit"; revision: string; path: string };
      query: URLSearchParams;
    };

const TABS: readonly DetailsTab[] = ["card", "files", "performance", "integration"];

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

export function parseLocation(url: URL): View {
  const query = url.searchParams;
  let segments = url.pathname.split("/").filter(Boolean).map(decode);
  let type: RepoType = "model";
  if (segments[0] === "datasets" || segments[0] === "spaces") {
    type = segments[0] === "datasets" ? "dataset" : "space";
    segments = segments.slice(1);
  }
  if (segments.length < 2) return { kind: "explorer", query };
  const id = `${segments[0]}/${segments[1]}`;
  const [view, ...rest] = segments.slice(2);
  const tabParam = query.get("tab") as DetailsTab | null;
  const tab: DetailsTab = tabParam && TABS.includes(tabParam) ? tabParam : "card";
  if (view === "tree" || view === "blob" || view === "commits") {
    const [revision = "main", ...path] = rest;
    return {
      kind: "repo",
      type,
      id,
      tab: "files",
      files: { mode: view, revision, path: path.join("/") },
      query,
    };
  }
  if (view === "commit") {
    return {
      kind: "repo",
      type,
      id,
      tab: "files",
      files: { mode: "commit", revision: rest[0] ?? "", path: "" },
      query,
    };
  }
  return { kind: "repo", type, id, tab, query };
}

/** The page URL of a repo, as the Hub prints it. */
export function repoPath(type: RepoType, id: string, suffix = ""): string {
  const prefix = type === "model" ? "" : `/${type}s`;
  return `${prefix}/${id.split("/").map(encodeURIComponent).join("/")}${suffix}`;
}

const listeners = new Set<() => void>();

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const target = new URL(href, location.href);
  if (target.href === location.href) return;
  if (options.replace) history.replaceState(null, "", target);
  else history.pushState(null, "", target);
  for (const listener of listeners) listener();
  if (!options.replace) window.scrollTo(0, 0);
}

/** The current URL, updated on navigation and on the back and forward buttons. */
export function useLocation(): URL {
  const [url, setUrl] = useState(() => new URL(location.href));
  useEffect(() => {
    const update = () => setUrl(new URL(location.href));
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return url;
}

/**
 * A click on an in-app link navigates without reloading (a modified click still opens a new tab). Put on
 * the app's root so every `<a href="/...">` inside takes part.
 */
export function interceptLinks(event: MouseEvent): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const anchor = (event.target as Element | null)?.closest?.("a");
  if (!anchor || anchor.target || anchor.hasAttribute("download") || anchor.dataset.external !== undefined)
    return;
  const href = anchor.getAttribute("href");
  if (!href?.startsWith("/") || href.startsWith("//")) return;
  if (/^\/(api|v1|docs|openapi\.json|assets)\b/.test(href) || /\/(resolve|raw)\//.test(href)) return;
  event.preventDefault();
  navigate(href);
}

/** The URL with some query parameters changed (undefined or empty removes one). */
export function withQuery(url: URL, changes: Record<string, string | string[] | undefined>): string {
  const next = new URL(url.href);
  for (const [name, value] of Object.entries(changes)) {
    next.searchParams.delete(name);
    if (Array.isArray(value)) for (const item of value) next.searchParams.append(name, item);
    else if (value) next.searchParams.set(name, value);
  }
  return `${next.pathname}${next.search}`;
}
