import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { errorText, getJson, isAbort } from "./api.ts";
import { FacetGroup } from "./facet-group.tsx";
import { SORTS } from "./facets.ts";
import { formatNumber } from "./format.ts";
import { loadDetails } from "./load-details.ts";
import { navigate, withQuery } from "./location.ts";
import { Recommender } from "./recommender.tsx";
import { CompareBar, ResultCard } from "./result-cards.tsx";
import {
  FACETS,
  facetsPath,
  PAGE_SIZE,
  resultsPath,
  searchKey,
  sendSearch,
  takeSearch,
} from "./search-request.ts";
import type { DiscoverAnswer, FacetValue } from "./types.ts";

/**
 * Keys typed within this long of the one before wait for the pause before the URL (and so the search)
 * changes; the first key after a pause searches at once.
 */
const TYPING_DEBOUNCE_MS = 60;
/**
 * While typing, results come without facet counts (counting them takes the server longer than the page of
 * results); the counts are asked for once the text has stayed this long.
 */
const FACETS_SETTLE_MS = 250;
/** A search still running after this long gets a note saying why. */
const SLOW_SEARCH_MS = 1500;

const narrowScreen = () => window.matchMedia("(max-width: 760px)").matches;

export function Explorer({ url }: { url: URL }) {
  const query = url.searchParams;
  const key = searchKey(query);
  const [answer, setAnswer] = useState<DiscoverAnswer | null>(null);
  /** The query the results on screen answer (`data-answered`: what a benchmark or a test waits for). */
  const [answered, setAnswered] = useState("");
  /** The facet counts on screen and the query they count (an earlier one while typing). */
  const [facets, setFacets] = useState<{ key: string; values: Record<string, FacetValue[]> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [facetsError, setFacetsError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  /** The search has taken long enough to say why (the first one after a start reads or builds the index). */
  const [slow, setSlow] = useState(false);
  /** Set by the search box: the next change of the query comes from typing. */
  const typed = useRef(false);

  useEffect(() => {
    if (!loading) return;
    const timer = window.setTimeout(() => setSlow(true), SLOW_SEARCH_MS);
    return () => {
      window.clearTimeout(timer);
      setSlow(false);
    };
  }, [loading, key]);

  // A layout effect: the request leaves before the browser paints the change that caused it.
  useLayoutEffect(() => {
    // Each new query aborts the one before: a slow answer to an older query never replaces a newer one.
    let settle: number | undefined;
    const withFacets = !typed.current;
    typed.current = false;
    const path = resultsPath(key, withFacets);
    // Sent already when the page opened, or by the search box before this render.
    const ahead = takeSearch(path);
    const controller = ahead?.controller ?? new AbortController();
    const { signal } = controller;
    setLoading(true);
    (ahead?.answer ?? getJson<DiscoverAnswer>(path, signal)).then(
      (result) => {
        if (signal.aborted) return;
        setAnswer(result);
        setAnswered(key);
        setError(null);
        setLoading(false);
        if (result.facets) {
          setFacets({ key, values: result.facets });
          setFacetsError(null);
          return;
        }
        settle = window.setTimeout(() => {
          getJson<DiscoverAnswer>(facetsPath(key), signal).then(
            (counted) => {
              setFacets({ key, values: counted.facets ?? {} });
              setFacetsError(null);
            },
            (failure: unknown) => {
              if (!isAbort(failure)) setFacetsError(errorText(failure));
            },
          );
        }, FACETS_SETTLE_MS);
      },
      (failure: unknown) => {
        if (signal.aborted || isAbort(failure)) return;
        setError(errorText(failure));
        setLoading(false);
      },
    );
    return () => {
      window.clearTimeout(settle);
      controller.abort();
    };
  }, [key]);

  const compare = query.getAll("compare");
  const active = FACETS.filter((facet) => query.has(facet.param)).length;
  const pages = answer ? Math.max(1, Math.ceil(Math.min(answer.total, 10_000) / PAGE_SIZE)) : 1;
  const page = answer?.page ?? Number(query.get("page") ?? 1);

  return (
    <div class="explorer">
      <h1 class="visually-hidden">Model Explorer</h1>
      <SearchBox
        url={url}
        onTyped={() => {
          typed.current = true;
        }}
      />
      <Recommender url={url} />
      <div class="explorer-body">
        <aside
          class={facets && facets.key !== key ? "filters stale" : "filters"}
          aria-label="Filters"
          aria-busy={facets !== null && facets.key !== key}
        >
          {/* Open beside the results on a wide screen; folded above them on a phone. */}
          <details open={!narrowScreen()}>
            <summary>
              <h2 class="filters-title">Filters{active > 0 ? ` (${active} active)` : ""}</h2>
            </summary>
            {facetsError ? (
              <p class="error" role="alert">
                The counts failed: {facetsError}
              </p>
            ) : null}
            {facets ? (
              FACETS.map((facet) => (
                <FacetGroup key={facet.key} facet={facet} url={url} values={facets.values[facet.key] ?? []} />
              ))
            ) : (
              <p class="muted">{error ? "Filters appear once the search answers." : "Loading filters…"}</p>
            )}
          </details>
        </aside>
        <section
          class="results"
          aria-labelledby="results-heading"
          aria-busy={loading}
          data-answered={answered}
        >
          <div class="results-bar">
            <h2 id="results-heading" class="results-title" aria-live="polite">
              {answer ? `${formatNumber(answer.total)} model${answer.total === 1 ? "" : "s"}` : "Models"}
            </h2>
            <label class="sort">
              Sort by{" "}
              <select
                value={query.get("sort") ?? answer?.sort ?? "relevance"}
                onChange={(event) =>
                  navigate(withQuery(url, { sort: event.currentTarget.value, page: undefined }))
                }
              >
                {SORTS.map((sort) => (
                  <option key={sort.value} value={sort.value}>
                    {sort.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {error ? (
            <p class="error" role="alert">
              The search failed: {error}
            </p>
          ) : null}
          {slow ? (
            <p class="muted slow-search" role="status">
              Still searching… Hangar reads its search index when it starts, or builds it (minutes for a
              million models); searches answer at once when it is ready.
            </p>
          ) : null}
          {/* A pointer over a card, or the focus on one, loads the model page's code before the click: not
              at idle time, where it would compete with the typing that is the Explorer's busiest moment. */}
          <ul class="cards" onPointerOver={prepareDetails} onFocusIn={prepareDetails}>
            {answer?.results.map((result) => (
              <ResultCard key={result.id} result={result} url={url} compared={compare.includes(result.id)} />
            ))}
          </ul>
          {answer && answer.results.length === 0 ? (
            <p class="muted">No model matches. Remove a filter or change the words.</p>
          ) : null}
          {answer && pages > 1 ? (
            <nav class="pagination" aria-label="Pages">
              <a
                href={withQuery(url, { page: String(page - 1) })}
                aria-disabled={page <= 1}
                class={page <= 1 ? "disabled" : ""}
                rel="prev"
              >
                Previous
              </a>
              <span>
                Page {page} of {formatNumber(pages)}
              </span>
              <a
                href={withQuery(url, { page: String(page + 1) })}
                aria-disabled={page >= pages}
                class={page >= pages ? "disabled" : ""}
                rel="next"
              >
                Next
              </a>
            </nav>
          ) : null}
        </section>
      </div>
      {compare.length > 0 ? <CompareBar url={url} models={compare} /> : null}
    </div>
  );
}

const prepareDetails = () => void loadDetails().catch(() => undefined);

function SearchBox({ url, onTyped }: { url: URL; onTyped: () => void }) {
  const fromUrl = url.searchParams.get("q") ?? "";
  const [text, setText] = useState(fromUrl);
  const timer = useRef<number | undefined>(undefined);
  /** The `q` this box last put in the URL (or took from it). */
  const pushed = useRef(fromUrl);
  // The back button (or a link) changes the URL under the box: show what the URL says. The box's own
  // debounced navigation is not such a change: the URL catches up with text typed since, which must stay
  // (resetting the box to it lost the keys typed meanwhile and searched once more for the text retyped).
  useEffect(() => {
    if (fromUrl !== pushed.current) {
      pushed.current = fromUrl;
      window.clearTimeout(timer.current);
      setText(fromUrl);
    }
  }, [fromUrl]);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  /** Whether a key typed now is still part of a burst (a search for the text so far is waiting for it). */
  const burst = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(burst.current), []);
  const onInput = (value: string) => {
    setText(value);
    window.clearTimeout(timer.current);
    const push = () => {
      const q = value.trim();
      if (q === pushed.current) return;
      pushed.current = q;
      const next = withQuery(new URL(location.href), { q: q || undefined, page: undefined });
      // The search leaves now; the Explorer's render of the new query takes its answer.
      sendSearch(resultsPath(searchKey(new URL(next, location.href).searchParams), false));
      onTyped();
      navigate(next, { replace: true });
    };
    // The first key after a pause searches at once; a key typed within the debounce of the one before
    // waits until typing pauses (each key restarts the wait).
    if (burst.current === undefined) push();
    else timer.current = window.setTimeout(push, TYPING_DEBOUNCE_MS);
    window.clearTimeout(burst.current);
    burst.current = window.setTimeout(() => {
      burst.current = undefined;
    }, TYPING_DEBOUNCE_MS);
  };
  return (
    <search class="search">
      <label for="model-search">Search models</label>
      <input
        id="model-search"
        type="search"
        placeholder="Name, task, language, licence… e.g. sentiment english"
        value={text}
        autocomplete="off"
        spellcheck={false}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </search>
  );
}
