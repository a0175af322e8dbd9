import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The project's `data/` folder, where the corpora the factory trains on are shipped. */
export const DATA_FOLDER = fileURLToPath(new URL("../../data/", import.meta.url));

export function dataPath(relative: string): string {
  return `${DATA_FOLDER}${relative}`;
}

/** Rows of a tab-separated file with a header line, as objects keyed by the header's column names. */
export async function readTsv(relative: string): Promise<Array<Record<string, string>>> {
  const text = await readFile(dataPath(relative), "utf8");
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.startsWith("#"));
  const header = lines.shift()?.split("\t") ?? [];
  return lines.map((line) => {
    const cells = line.split("\t");
    return Object.fromEntries(header.map((name, index) => [name, (cells[index] ?? "").trim()]));
  });
}

/** The non-empty lines of a text file. */
export async function readLines(relative: string): Promise<string[]> {
  const text = await readFile(dataPath(relative), "utf8");
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
