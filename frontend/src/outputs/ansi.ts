/**
 * Terminal text: `\r` and backspace applied as a terminal would (a progress bar redrawn with
 * `\r` ends as one line), then ANSI SGR colours turned into classed spans (anser; the colours
 * come from style/outputs.css, so they follow the theme). Text is only ever `textContent`.
 */
import Anser from "anser";

const ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/y;

interface Cell {
  /** Escape sequences written just before this character. */
  prefix: string;
  ch: string;
}

function fixLine(line: string): string {
  if (!line.includes("\r") && !line.includes("\b")) return line;
  const cells: Cell[] = [];
  let cursor = 0;
  let pending = "";
  let i = 0;
  while (i < line.length) {
    const c = line[i] ?? "";
    if (c === "\x1b") {
      ESCAPE.lastIndex = i;
      const m = ESCAPE.exec(line);
      if (m !== null) {
        pending += m[0];
        i += m[0].length;
        continue;
      }
    }
    i += 1;
    if (c === "\r") {
      cursor = 0;
    } else if (c === "\b") {
      // As Jupyter does: a backspace erases the character before it.
      if (cursor > 0) {
        cursor -= 1;
        const removed = cells.splice(cursor, 1)[0];
        if (removed !== undefined) pending = removed.prefix + pending;
      }
    } else {
      const cell = cells[cursor];
      if (cell === undefined) cells.push({ prefix: pending, ch: c });
      else {
        cell.prefix += pending;
        cell.ch = c;
      }
      pending = "";
      cursor += 1;
    }
  }
  return cells.map((cell) => cell.prefix + cell.ch).join("") + pending;
}

/** Applies `\r` (back to the line's start, overwriting) and backspace line by line. */
export function applyTerminalControls(text: string): string {
  if (!text.includes("\r") && !text.includes("\b")) return text;
  return text.replace(/\r+\n/g, "\n").split("\n").map(fixLine).join("\n");
}

const HAS_ESCAPE = /\x1b/;

/** Plain text with ANSI escapes removed (for copying, tests, search). */
export function stripAnsi(text: string): string {
  return HAS_ESCAPE.test(text) ? Anser.ansiToText(text) : text;
}

/** xterm's 256-colour palette above the 16 themed colours, as "r, g, b". */
function paletteRgb(index: number): string {
  if (index >= 232) {
    const v = 8 + (index - 232) * 10;
    return `${v}, ${v}, ${v}`;
  }
  const n = index - 16;
  const level = (k: number): number => (k === 0 ? 0 : 55 + k * 40);
  return `${level(Math.floor(n / 36))}, ${level(Math.floor(n / 6) % 6)}, ${level(n % 6)}`;
}

/** A class for the 16 themed colours; a CSS colour (set through CSSOM) for the others. */
function colour(value: string | null, truecolor: string | null, layer: "fg" | "bg"): [string | null, string | null] {
  if (value === null || value === "") return [null, null];
  if (value === "ansi-truecolor") return [null, truecolor === null ? null : `rgb(${truecolor})`];
  const palette = /^ansi-palette-(\d+)$/.exec(value);
  if (palette !== null) return [null, `rgb(${paletteRgb(Number(palette[1]))})`];
  if (/^ansi-[a-z-]+$/.test(value)) return [`${value}-${layer}`, null];
  return [null, null];
}

/** ANSI-coloured text as spans (classes `ansi-red-fg`, `ansi-bold`…); true colours go in through CSSOM. */
export function ansiFragment(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  if (!HAS_ESCAPE.test(text)) {
    out.append(text);
    return out;
  }
  for (const entry of Anser.ansiToJson(text, { use_classes: true, remove_empty: true })) {
    const e = entry as { fg: string | null; bg: string | null; fg_truecolor: string | null; bg_truecolor: string | null };
    const [fgClass, fgColour] = colour(e.fg, e.fg_truecolor, "fg");
    const [bgClass, bgColour] = colour(e.bg, e.bg_truecolor, "bg");
    const classes: string[] = [];
    if (fgClass !== null) classes.push(fgClass);
    if (bgClass !== null) classes.push(bgClass);
    for (const decoration of entry.decorations) classes.push(`ansi-${decoration}`);
    if (classes.length === 0 && fgColour === null && bgColour === null) {
      out.append(entry.content);
      continue;
    }
    const span = document.createElement("span");
    if (classes.length > 0) span.className = classes.join(" ");
    // CSSOM writes are allowed by the CSP (style attributes are not).
    if (fgColour !== null) span.style.color = fgColour;
    if (bgColour !== null) span.style.backgroundColor = bgColour;
    span.textContent = entry.content;
    out.append(span);
  }
  return out;
}
