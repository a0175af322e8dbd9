/**
 * A count with its noun, as a sentence says it: "1 model", "2 models", "1,452 models". Nouns whose plural is
 * not the noun plus s pass it ("1 entry", "3 entries").
 */
export function countNoun(count: number, noun: string, plural = `${noun}s`): string {
  return `${count.toLocaleString("en")} ${count === 1 ? noun : plural}`;
}
