export type DetailsModule = typeof import("./details.tsx");
let detailsModule: Promise<DetailsModule> | undefined;

/**
 * The model page's code (the Markdown renderer and sanitiser, the charts, the snippets: most of the app's
 * script) in a chunk of its own, loaded when a model page opens or the browser is idle on the Explorer, so
 * the Explorer's first page waits for none of it.
 */
export function loadDetails(): Promise<DetailsModule> {
  detailsModule ??= import("./details.tsx");
  // A failed load (the server restarted with a new build) is tried again next time.
  detailsModule.catch(() => {
    detailsModule = undefined;
  });
  return detailsModule;
}

/** Loads the model page's chunk when the browser has nothing else to do (Safari lacks the idle callback). */
export function loadDetailsWhenIdle(): void {
  const load = () => void loadDetails().catch(() => undefined);
  if ("requestIdleCallback" in window) window.requestIdleCallback(load, { timeout: 5000 });
  else setTimeout(load, 1000);
}
