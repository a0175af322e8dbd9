function entityTag(label: string): { prefix: string; tag: string } {
  const match = /^([BIES])-(.+)$/.exec(label);
  return match ? { prefix: match[1]!, tag: match[2]! } : { prefix: "I", tag: label };
}

export interface TokenEntity {
  entity: string;
  score: number;
  index: number;
  word: string;
  start: number;
  end: number;
  continues: boolean;
}

/** BIO groups: B- starts an entity, I- of the same type and word pieces continue it. */
export function groupEntities(tokens: TokenEntity[], text: string, ignore: string[]): unknown[] {
  const groups: Array<{ tag: string; scores: number[]; start: number; end: number }> = [];
  let open: { tag: string; scores: number[]; start: number; end: number } | undefined;
  for (const token of tokens) {
    const { prefix, tag } = entityTag(token.entity);
    if (token.continues && open) {
      open.scores.push(token.score);
      open.end = token.end;
      continue;
    }
    if (ignore.includes(token.entity)) {
      open = undefined;
      continue;
    }
    if (open && open.tag === tag && prefix !== "B" && prefix !== "S") {
      open.scores.push(token.score);
      open.end = token.end;
    } else {
      open = { tag, scores: [token.score], start: token.start, end: token.end };
      groups.push(open);
    }
    if (prefix === "E" || prefix === "S") open = undefined;
  }
  return groups.map((group) => ({
    entity_group: group.tag,
    score: group.scores.reduce((sum, score) => sum + score, 0) / group.scores.length,
    word: text.slice(group.start, group.end),
    start: group.start,
    end: group.end,
  }));
}
