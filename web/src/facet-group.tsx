import { useMemo, useState } from "preact/hooks";
import { groupTasks, modalityLabel, valueLabel } from "./facets.ts";
import { formatNumber } from "./format.ts";
import { navigate, withQuery } from "./location.ts";
import type { FacetSpec } from "./search-request.ts";
import type { FacetValue } from "./types.ts";

/** Values of a facet listed before "Show all". */
const FACET_VALUES_SHOWN = 8;

/**
 * One facet of the Explorer's filter panel (explorer.tsx): its values with their counts as checkboxes that
 * change the URL's query, tasks grouped by modality.
 */
export function FacetGroup({ facet, url, values }: { facet: FacetSpec; url: URL; values: FacetValue[] }) {
  const [expanded, setExpanded] = useState(false);
  const query = url.searchParams;
  const selected =
    facet.kind === "list" ? query.getAll(facet.param).flatMap((value) => value.split(",")) : [];
  const shown = useMemo(() => {
    let list =
      facet.kind === "range" ? values.filter((value) => value.min != null || value.max != null) : values;
    // A value chosen in the URL stays in the list (with no count) so it can be unchecked.
    for (const value of selected)
      if (!list.some((item) => item.value === value)) list = [...list, { value, count: 0 }];
    return list;
  }, [values, selected.join(",")]);
  if (shown.length === 0) return null;

  const isChecked = (value: FacetValue): boolean => {
    if (facet.kind === "list") return selected.includes(value.value);
    if (facet.kind === "flag") return query.get(facet.param) === value.value;
    return (
      (query.get(facet.param) ?? "") === String(value.min ?? "") &&
      (query.get(facet.maxParam!) ?? "") === String(value.max ?? "")
    );
  };
  const toggle = (value: FacetValue) => {
    const checked = isChecked(value);
    let changes: Record<string, string | string[] | undefined>;
    if (facet.kind === "list") {
      changes = {
        [facet.param]: checked ? selected.filter((item) => item !== value.value) : [...selected, value.value],
      };
    } else if (facet.kind === "flag") {
      changes = { [facet.param]: checked ? undefined : value.value };
    } else {
      changes = {
        [facet.param]: checked || value.min == null ? undefined : String(value.min),
        [facet.maxParam!]: checked || value.max == null ? undefined : String(value.max),
      };
    }
    navigate(withQuery(url, { ...changes, page: undefined }));
  };
  const option = (value: FacetValue) => (
    <li key={value.value}>
      <label>
        <input type="checkbox" checked={isChecked(value)} onChange={() => toggle(value)} />
        <span class="facet-name">{valueLabel(facet.key, value.value)}</span>
        <span class="count">{formatNumber(value.count)}</span>
      </label>
    </li>
  );
  const limited = expanded ? shown : shown.slice(0, FACET_VALUES_SHOWN);
  return (
    <fieldset class="facet">
      <legend>{facet.title}</legend>
      {facet.key === "task" ? (
        groupTasks(limited).map((group) => (
          <div key={group.modality} class="facet-group">
            <p class="facet-subhead">{modalityLabel(group.modality)}</p>
            <ul>{group.values.map(option)}</ul>
          </div>
        ))
      ) : (
        <ul>{limited.map(option)}</ul>
      )}
      {shown.length > FACET_VALUES_SHOWN ? (
        <button type="button" class="link" onClick={() => setExpanded(!expanded)} aria-expanded={expanded}>
          {expanded ? "Show fewer" : `Show all ${shown.length}`}
        </button>
      ) : null}
    </fieldset>
  );
}
