import type { CatalogTables } from "../../store/catalog.ts";

/**
 * Whether a webhook's owner may read a repo now: a public repo, or a private one in the owner's namespace,
 * in an organisation the owner belongs to, or any repo for an administrator. Checked when an event is
 * queued and again before each delivery attempt (the repo may have turned private, or the owner left).
 */
export async function ownerCanRead(
  catalog: CatalogTables,
  owner: string,
  repo: { namespace: string; private: boolean },
): Promise<boolean> {
  if (!repo.private) return true;
  const account = await catalog.accounts.getNamespace(owner);
  if (!account) return false;
  if (account.isAdmin) return true;
  const lower = repo.namespace.toLowerCase();
  if (owner.toLowerCase() === lower) return true;
  return (await catalog.accounts.orgsOf(owner)).some((org) => org.name.toLowerCase() === lower);
}
