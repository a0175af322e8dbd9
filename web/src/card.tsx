import DOMPurify from "dompurify";
import { marked } from "marked";
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText, getText, isAbort } from "./api.ts";

/** A model card's Markdown without its YAML front matter (shown as the metadata table instead). */
export function cardBody(markdown: string): string {
  const match = /^---\r?\n[\s\S]*?\r?\n---\r?\n?/.exec(markdown);
  return match ? markdown.slice(match[0].length) : markdown;
}

/** The rendered model card: Markdown through marked, then DOMPurify, since cards are written by anyone. */
export function ModelCard({ base, revision }: { base: string; revision: string }) {
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const controller = new AbortController();
    setHtml(null);
    setError(null);
    getText(`${base}/resolve/${encodeURIComponent(revision)}/README.md`, controller.signal).then(
      (markdown) => {
        const rendered = marked.parse(cardBody(markdown), { async: false, gfm: true });
        setHtml(DOMPurify.sanitize(rendered, { USE_PROFILES: { html: true } }));
      },
      (failure: unknown) => {
        if (!isAbort(failure)) setError(errorText(failure));
      },
    );
    return () => controller.abort();
  }, [base, revision]);
  useEffect(() => {
    if (container.current && html !== null) container.current.innerHTML = html;
  }, [html]);
  if (error) return <p class="muted">This repository has no model card (README.md): {error}</p>;
  return (
    <article class="model-card markdown" aria-label="Model card" aria-busy={html === null}>
      {html === null ? <p class="muted">Loading the model card…</p> : null}
      <div ref={container} />
    </article>
  );
}
