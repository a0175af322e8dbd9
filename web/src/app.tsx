import { useEffect, useState } from "preact/hooks";
import { errorText, storedToken, storeToken } from "./api.ts";
import { Explorer } from "./explorer.tsx";
import { type DetailsModule, loadDetails } from "./load-details.ts";
import { interceptLinks, parseLocation, useLocation, type View } from "./location.ts";

function LazyDetails({ view, url }: { view: Extract<View, { kind: "repo" }>; url: URL }) {
  const [loaded, setLoaded] = useState<DetailsModule | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadDetails().then(setLoaded, (failure: unknown) => setError(errorText(failure)));
  }, []);
  if (error)
    return (
      <p class="error" role="alert">
        The model page failed to load: {error}. Reload the page to try again.
      </p>
    );
  if (!loaded) return <p class="muted">Loading…</p>;
  return <loaded.Details view={view} url={url} />;
}

function TokenField() {
  const [token, setToken] = useState(storedToken());
  const [saved, setSaved] = useState(Boolean(storedToken()));
  return (
    <details class="token">
      <summary>{saved ? "Signed in with a token" : "Access token"}</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          storeToken(token.trim());
          setSaved(Boolean(token.trim()));
          location.reload();
        }}
      >
        <label for="token-input">Token for private repos (kept in this browser only)</label>
        <input
          id="token-input"
          type="password"
          autocomplete="off"
          value={token}
          placeholder="hf_..."
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <button type="submit">{token.trim() ? "Save" : "Forget"}</button>
      </form>
    </details>
  );
}

export function App() {
  const url = useLocation();
  const view = parseLocation(url);
  useEffect(() => {
    document.title = view.kind === "repo" ? `${view.id} · Hangar` : "Hangar · Models";
  }, [view.kind === "repo" ? view.id : "explorer"]);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: one delegated listener makes every in-app link a client-side navigation; the links themselves stay links
    // biome-ignore lint/a11y/useKeyWithClickEvents: links get Enter from the browser, which fires this click
    <div class="app" onClick={interceptLinks}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <a class="brand" href="/">
          Hangar
        </a>
        <nav aria-label="Site">
          <a href="/">Models</a>
          <a href="/docs" data-external>
            API
          </a>
        </nav>
        <TokenField />
      </header>
      <main id="main" tabIndex={-1}>
        {view.kind === "explorer" ? (
          <Explorer url={url} />
        ) : (
          <LazyDetails key={`${view.type}:${view.id}`} view={view} url={url} />
        )}
      </main>
      <footer class="site-footer muted">
        Point Hugging Face clients at <code>{location.origin}</code> (HF_ENDPOINT) ·{" "}
        <a href="/openapi.json" data-external>
          OpenAPI
        </a>
      </footer>
    </div>
  );
}
