export type DetailsModule = typeof import("./details.tsx");
let detailsModule: Promise<DetailsModule> | undefined;

/**
 * The model page's code (the Markdown renderer and sanitiser, the charts, the snippets: most of the app's
 * script) in a chunk of its own, loaded when a model page opens or a result card is pointed at or focused, so
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
