import { useEffect, useState } from "preact/hooks";
import { errorText, isAbort, postJson } from "./api.ts";
import { navigate, repoPath, withQuery } from "./location.ts";
import type { RecommendAnswer } from "./types.ts";

/**
 * "Describe what you need": the description goes into the URL (`need=`), so a recommendation can be shared;
 * `/v1/recommend` answers with ranked candidates and the reasons for each.
 */
export function Recommender({ url }: { url: URL }) {
  const need = url.searchParams.get("need") ?? "";
  const [text, setText] = useState(need);
  const [answer, setAnswer] = useState<RecommendAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => setText(need), [need]);
  useEffect(() => {
    if (!need) {
      setAnswer(null);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    postJson<RecommendAnswer>("/v1/recommend", { description: need, limit: 5 }, controller.signal).then(
      (result) => {
        setAnswer(result);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (isAbort(failure)) return;
        setError(errorText(failure));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [need]);
  return (
    <section class="recommender" aria-labelledby="recommend-heading">
      <details open={Boolean(need)}>
        <summary>
          <h2 id="recommend-heading" class="recommender-title">
            Describe what you need
          </h2>
        </summary>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            navigate(withQuery(url, { need: text.trim() || undefined }));
          }}
        >
          <label for="need">
            What should the model do? Constraints such as language, licence or hardware help.
          </label>
          <textarea
            id="need"
            rows={2}
            value={text}
            placeholder="e.g. classify the sentiment of English product reviews on a CPU, commercial use"
            onInput={(event) => setText(event.currentTarget.value)}
          />
          <button type="submit" class="primary" disabled={loading}>
            {loading ? "Thinking…" : "Recommend"}
          </button>
        </form>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        {answer ? (
          <div aria-live="polite">
            <p class="muted">
              Read as: {answer.tasks.join(", ") || "no task recognised"}
              {answer.lowConfidence ? " (low confidence: say more about the job)" : ""}
            </p>
            <ol class="candidates">
              {answer.candidates.map((candidate) => (
                <li key={candidate.id}>
                  <a href={repoPath("model", candidate.id)}>{candidate.id}</a>{" "}
                  <span class="score">score {candidate.score}</span>
                  <ul>
                    {candidate.reasons.map((reason) => (
                      <li key={reason}>{reason}</li>
                    ))}
                    {candidate.unknowns.map((unknown) => (
                      <li key={unknown} class="muted">
                        Unknown: {unknown}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          </div>
        ) : null}
      </details>
    </section>
  );
}
