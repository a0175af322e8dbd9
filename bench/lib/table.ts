/** Prints rows as an aligned plain-text table under a title; numbers are right-aligned. */
export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((row) => row.map((cell) => String(cell)))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  const numeric = header.map(
    (_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === "number"),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`${line(cells[0]!)}\n`);
  process.stdout.write(`${widths.map((width) => "-".repeat(width)).join("  ")}\n`);
  for (const row of cells.slice(1)) process.stdout.write(`${line(row)}\n`);
}

/** "met" / "NOT met" for a target, so a reader scanning the output sees misses. */
export function verdict(met: boolean): string {
  return met ? "met" : "NOT met";
}

/** The final line scripts parse: one JSON object, prefixed so it is easy to grep. */
export function printJsonLine(result: unknown): void {
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

/** A progress line on stderr (stdout holds the tables and the JSON line). */
export function logProgress(line: string): void {
  process.stderr.write(`${line}\n`);
}
