/** Decoding of pickle string and number operands the way CPython's unpickler decodes them. */
const latin1 = new TextDecoder("latin1");

/** Python's `codecs.escape_decode` over the bytes of a STRING operand. */
export function escapeDecode(bytes: Uint8Array): string {
  const text = latin1.decode(bytes);
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== "\\" || i + 1 >= text.length) {
      out += ch;
      continue;
    }
    const next = text[++i]!;
    const simple: Record<string, string> = {
      "\\": "\\",
      "'": "'",
      '"': '"',
      a: "\x07",
      b: "\b",
      f: "\f",
      n: "\n",
      r: "\r",
      t: "\t",
      v: "\v",
      "\n": "",
    };
    if (next in simple) out += simple[next];
    else if (next === "x" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(next)) {
      let digits = next;
      while (digits.length < 3 && /[0-7]/.test(text[i + 1] ?? "")) digits += text[++i];
      out += String.fromCharCode(Number.parseInt(digits, 8) & 0xff);
    } else out += `\\${next}`;
  }
  return out;
}

/** Python's `raw-unicode-escape` decoding of a UNICODE operand. */
export function rawUnicodeDecode(bytes: Uint8Array): string {
  return latin1
    .decode(bytes)
    .replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, four, eight) =>
      String.fromCodePoint(Number.parseInt(four ?? eight, 16)),
    );
}

export function littleEndianSigned(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

/** Bytes per item of a numpy dtype string (`<f8`, `|b1`, `<U10`); undefined for structured types. */
export function numpyItemSize(descr: string): number | undefined {
  const match = /^[<>|=]?([a-zA-Z])(\d+)/.exec(descr);
  if (!match) {
    const fixed: Record<string, number> = {
      "?": 1,
      b: 1,
      B: 1,
      h: 2,
      H: 2,
      i: 4,
      I: 4,
      l: 8,
      L: 8,
      q: 8,
      Q: 8,
      e: 2,
      f: 4,
      d: 8,
      g: 16,
      F: 8,
      D: 16,
    };
    return fixed[descr.replace(/^[<>|=]/, "")];
  }
  const size = Number(match[2]);
  return match[1] === "U" ? size * 4 : size;
}
