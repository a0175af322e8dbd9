import { taskLabel } from "./facets.ts";

/** Small labelled chips shared by the result cards and the model header. */

export function ScanBadge({ status }: { status: string }) {
  const tone =
    status === "safe" ? "good" : status === "unsafe" ? "bad" : status === "suspicious" ? "warn" : "muted";
  const text =
    status === "safe" ? "Scan: safe" : status === "unscanned" ? "Not scanned yet" : `Scan: ${status}`;
  return <span class={`badge ${tone}`}>{text}</span>;
}

export function CommercialBadge({ value }: { value: string }) {
  const text: Record<string, string> = {
    yes: "Commercial use allowed",
    no: "No commercial use",
    conditional: "Commercial use: conditional",
  };
  const tone = value === "yes" ? "good" : value === "no" ? "bad" : "warn";
  return <span class={`badge ${tone}`}>{text[value] ?? "Commercial use: unknown"}</span>;
}

export function TaskChip({ task }: { task: string | null | undefined }) {
  return task ? <span class="chip task">{taskLabel(task)}</span> : null;
}
