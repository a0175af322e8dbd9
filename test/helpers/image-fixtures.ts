import sharp from "sharp";

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A PNG of dark text lines on a white page, rendered with sharp from SVG in DejaVu Sans (installed with the
 * system fonts), so OCR tests read text that exists nowhere else.
 */
export async function renderTextPng(
  lines: readonly string[],
  options: { fontSize?: number; width?: number; margin?: number } = {},
): Promise<Buffer> {
  const fontSize = options.fontSize ?? 32;
  const margin = options.margin ?? 24;
  const lineHeight = Math.round(fontSize * 1.8);
  const width = options.width ?? 640;
  const height = margin * 2 + lineHeight * lines.length;
  const texts = lines
    .map(
      (line, i) =>
        `<text x="${margin}" y="${margin + i * lineHeight + fontSize}" font-family="DejaVu Sans" font-size="${fontSize}" fill="#111111">${escapeXml(line)}</text>`,
    )
    .join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#ffffff"/>${texts}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
