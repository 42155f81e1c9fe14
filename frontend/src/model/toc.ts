/** Headings of a Markdown text for the table of contents (ATX "#" and Setext underlines). */

export interface Heading {
  readonly level: number;
  readonly text: string;
  /** 0-based line of the heading. */
  readonly line: number;
}

export function markdownHeadings(text: string): Heading[] {
  const lines = text.split(/\r?\n/);
  const out: Heading[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    const f = /^\s{0,3}(```+|~~~+)/.exec(line);
    if (f !== null) {
      const marker = f[1] ?? "";
      if (fence === null) fence = marker.slice(0, 3);
      else if (marker.startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const atx = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (atx !== null) {
      out.push({ level: (atx[1] ?? "#").length, text: atx[2] ?? "", line: i });
      continue;
    }
    const next = lines[i + 1] ?? "";
    if (line.trim() !== "" && /^\s{0,3}(=+|-+)\s*$/.test(next) && !/^\s{0,3}[-*+>]/.test(line)) {
      out.push({ level: next.trim().startsWith("=") ? 1 : 2, text: line.trim(), line: i });
      i += 1;
    }
  }
  return out;
}
