/** JSON.parse that also rejects duplicate object keys (JSON.parse keeps the last one silently). */
export class JsonError extends Error {}

export function parseJsonStrict(text: string, maxDepth = 64): unknown {
  let p = 0;
  const ws = () => {
    while (p < text.length && (text[p] === " " || text[p] === "\n" || text[p] === "\r" || text[p] === "\t"))
      p++;
  };
  const fail = (what: string): never => {
    throw new JsonError(`${what} at character ${p}`);
  };
  const string = (): string => {
    const start = p;
    p++;
    for (;;) {
      const ch = text.charCodeAt(p);
      if (Number.isNaN(ch)) fail("unterminated string");
      if (ch === 0x22) break;
      if (ch < 0x20) fail("control character in string");
      p += ch === 0x5c ? 2 : 1;
    }
    p++;
    try {
      return JSON.parse(text.slice(start, p)) as string;
    } catch {
      return fail("invalid string escape");
    }
  };
  const value = (depth: number): unknown => {
    if (depth > maxDepth) fail("nesting too deep");
    ws();
    const ch = text[p];
    if (ch === "{") {
      p++;
      const object: Record<string, unknown> = Object.create(null);
      ws();
      if (text[p] === "}") {
        p++;
        return object;
      }
      for (;;) {
        ws();
        if (text[p] !== '"') fail("expected a key");
        const key = string();
        if (Object.hasOwn(object, key)) throw new JsonError(`duplicate key ${JSON.stringify(key)}`);
        ws();
        if (text[p++] !== ":") fail("expected ':'");
        object[key] = value(depth + 1);
        ws();
        if (text[p] === ",") p++;
        else if (text[p] === "}") {
          p++;
          return object;
        } else fail("expected ',' or '}'");
      }
    }
    if (ch === "[") {
      p++;
      const array: unknown[] = [];
      ws();
      if (text[p] === "]") {
        p++;
        return array;
      }
      for (;;) {
        array.push(value(depth + 1));
        ws();
        if (text[p] === ",") p++;
        else if (text[p] === "]") {
          p++;
          return array;
        } else fail("expected ',' or ']'");
      }
    }
    if (ch === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(p, p + 400),
    );
    if (!literal) return fail("unexpected character");
    p += literal[0].length;
    return JSON.parse(literal[0]);
  };
  const result = value(0);
  ws();
  if (p !== text.length) fail("trailing characters");
  return result;
}
