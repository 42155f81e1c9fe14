/**
 * What the page address asks for (design.md §1 URLs): `/lab` (the IDE), `/lab/tree/<path>`
 * (the IDE, showing a folder or opening a file), `/tree/<path>` (the simpler view that
 * `carnet notebook` opens: the file browser beside one document at a time), and the
 * single-document pages `/notebooks/<path>`, `/edit/<path>` (in the text editor) and `/view/<path>`.
 */

export type RouteKind = "lab" | "tree" | "notebooks" | "edit" | "view";

export interface Route {
  readonly kind: RouteKind;
  /** The API path named by the address ("" when none). */
  readonly path: string;
  /** One document without side panels, or the full IDE. */
  readonly mode: "lab" | "single" | "tree";
}

export function parseRoute(pathname: string, baseUrl: string): Route {
  let rest = pathname.startsWith(baseUrl) ? pathname.slice(baseUrl.length) : pathname.replace(/^\/+/, "");
  let kind: RouteKind = "lab";
  if (rest.startsWith("lab/tree/") || rest === "lab/tree") {
    rest = rest.slice("lab/tree".length);
  } else {
    const m = /^(lab|tree|notebooks|edit|view)(?:\/|$)/.exec(rest);
    if (m !== null) {
      kind = m[1] as RouteKind;
      rest = rest.slice(m[0].length);
    } else {
      rest = "";
    }
  }
  if (kind === "lab" && rest !== "" && !pathname.includes("/lab/tree")) rest = "";
  const path = rest
    .split("/")
    .filter((s) => s !== "")
    .map(safeDecode)
    .join("/");
  const single = kind === "notebooks" || kind === "edit" || kind === "view";
  if (kind === "tree") return { kind, path, mode: "tree" };
  return { kind, path, mode: single && path !== "" ? "single" : "lab" };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
