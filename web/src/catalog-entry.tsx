import { CopyButton } from "./copy-button.tsx";

/**
 * What the card and files tabs show for a catalog entry (a model Hangar knows from its catalog by its
 * metadata, with none of its files stored here): what that means and the command that copies it, instead of
 * the "revision not found" the Hub API answers for a repo without commits.
 */
export function CatalogEntryNote({ id, part }: { id: string; part: "card" | "files" }) {
  const command = `hangar pull ${id}`;
  return (
    <section class="catalog-entry" aria-label="Catalog entry">
      <p>
        <strong>A catalog entry.</strong> Hangar knows this model by its metadata (shown on this page, in
        search, comparisons and recommendations) but stores none of its files, so it has no{" "}
        {part === "card" ? "model card" : "files, branches or commits"} here yet.
      </p>
      <p>
        To copy it from the Hugging Face Hub (or the hub <code>HF_ENDPOINT</code> names), with its commit id,
        card and files, run on this Hangar's machine: <code>{command}</code>{" "}
        <CopyButton text={command} label={`Copy the command ${command}`} />
      </p>
    </section>
  );
}
