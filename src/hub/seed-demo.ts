import type { HubContext } from "./hub.ts";

/** Fills an empty instance with demo repositories so a first start has something to show. */
export async function seedDemoRepos(hub: HubContext): Promise<void> {
  if (hub.catalog.repos.count() > 0) return;
}
