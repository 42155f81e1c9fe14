/**
 * The saved layout, in JupyterLab's workspace shape so Lab tools can read it:
 * `data["layout-restorer:data"] = {main: {dock, current}, left: {collapsed, current}}` and
 * one `data["<factory>:<path>"] = {data: {path, factory}}` per open document, and one
 * `data["<kind>:<name>"] = {kind, data: {name, …}}` per other tab (a terminal, the settings
 * editor). The dock tree mirrors Lumino's, with tabs named by those keys instead of live widgets.
 */

export interface DocRef {
  readonly path: string;
  /** The viewer that shows it ("editor", "image", …). */
  readonly factory: string;
}

/** A tab that shows no file: recreated by the plugin that registered its kind. */
export interface TabRef {
  readonly kind: string;
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type AreaData<W> =
  | { readonly type: "tab-area"; readonly widgets: W[]; readonly currentIndex: number }
  | {
      readonly type: "split-area";
      readonly orientation: "horizontal" | "vertical";
      readonly children: AreaData<W>[];
      readonly sizes: number[];
    };

export interface SavedLayout {
  readonly main: AreaData<string> | null;
  readonly current: string | null;
  readonly leftCollapsed: boolean;
  readonly leftCurrent: string | null;
  readonly leftSize: number | null;
  readonly docs: ReadonlyMap<string, DocRef>;
  readonly tabs: ReadonlyMap<string, TabRef>;
}

export const LAYOUT_KEY = "layout-restorer:data";

export function docKey(ref: DocRef): string {
  return `${ref.factory}:${ref.path}`;
}

export function tabKey(ref: { readonly kind: string; readonly name: string }): string {
  return `${ref.kind}:${ref.name}`;
}

/** Whether a workspace entry is a tab or a document of the layout (not a state value). */
export function isLayoutEntry(value: unknown): boolean {
  const inner = obj(obj(value)["data"]);
  return typeof inner["factory"] === "string" || typeof obj(value)["kind"] === "string";
}

/** Maps every widget of an area tree, dropping tabs that map to null and empty areas. */
export function mapArea<A, B>(area: AreaData<A>, fn: (w: A) => B | null): AreaData<B> | null {
  if (area.type === "tab-area") {
    const kept: B[] = [];
    let currentIndex = 0;
    area.widgets.forEach((w, i) => {
      const mapped = fn(w);
      if (mapped !== null) {
        if (i === area.currentIndex) currentIndex = kept.length;
        kept.push(mapped);
      }
    });
    return kept.length === 0 ? null : { type: "tab-area", widgets: kept, currentIndex };
  }
  const children: AreaData<B>[] = [];
  const sizes: number[] = [];
  area.children.forEach((child, i) => {
    const mapped = mapArea(child, fn);
    if (mapped !== null) {
      children.push(mapped);
      sizes.push(area.sizes[i] ?? 1);
    }
  });
  if (children.length === 0) return null;
  if (children.length === 1) return children[0] ?? null;
  return { type: "split-area", orientation: area.orientation, children, sizes };
}

export function toWorkspaceData(layout: SavedLayout): Record<string, unknown> {
  const data: Record<string, unknown> = {
    [LAYOUT_KEY]: {
      main: { dock: layout.main, current: layout.current },
      left: {
        collapsed: layout.leftCollapsed,
        current: layout.leftCurrent,
        size: layout.leftSize,
      },
    },
  };
  for (const [key, ref] of layout.docs) {
    data[key] = { data: { path: ref.path, factory: ref.factory } };
  }
  for (const [key, ref] of layout.tabs) {
    data[key] = { kind: ref.kind, data: { ...ref.data, name: ref.name } };
  }
  return data;
}

/** Reads a workspace; anything malformed is dropped, never thrown (a bad file must not block). */
export function fromWorkspaceData(data: Record<string, unknown>): SavedLayout {
  const restorer = obj(data[LAYOUT_KEY]);
  const main = obj(restorer["main"]);
  const left = obj(restorer["left"]);
  const docs = new Map<string, DocRef>();
  const tabs = new Map<string, TabRef>();
  for (const [key, value] of Object.entries(data)) {
    if (key === LAYOUT_KEY) continue;
    const kind = obj(value)["kind"];
    const inner = obj(obj(value)["data"]);
    const path = inner["path"];
    const factory = inner["factory"];
    const name = inner["name"];
    if (typeof path === "string" && typeof factory === "string") {
      docs.set(key, { path, factory });
    } else if (typeof kind === "string" && typeof name === "string" && key === tabKey({ kind, name })) {
      tabs.set(key, { kind, name, data: inner });
    }
  }
  const dock = parseArea(main["dock"]);
  const current = main["current"];
  const leftCurrent = left["current"];
  const leftSize = left["size"];
  return {
    main: dock === null ? null : mapArea(dock, (k) => (docs.has(k) || tabs.has(k) ? k : null)),
    current: typeof current === "string" ? current : null,
    leftCollapsed: left["collapsed"] === true,
    leftCurrent: typeof leftCurrent === "string" ? leftCurrent : null,
    leftSize: typeof leftSize === "number" && Number.isFinite(leftSize) ? leftSize : null,
    docs,
    tabs,
  };
}

function parseArea(value: unknown, depth = 0): AreaData<string> | null {
  const area = obj(value);
  if (depth > 20) return null;
  if (area["type"] === "tab-area" && Array.isArray(area["widgets"])) {
    const widgets = (area["widgets"] as unknown[]).filter((w): w is string => typeof w === "string");
    const index = area["currentIndex"];
    return {
      type: "tab-area",
      widgets,
      currentIndex: typeof index === "number" && index >= 0 ? index : 0,
    };
  }
  if (area["type"] === "split-area" && Array.isArray(area["children"])) {
    const orientation = area["orientation"] === "vertical" ? "vertical" : "horizontal";
    const children: AreaData<string>[] = [];
    const rawSizes = Array.isArray(area["sizes"]) ? (area["sizes"] as unknown[]) : [];
    const sizes: number[] = [];
    (area["children"] as unknown[]).forEach((child, i) => {
      const parsed = parseArea(child, depth + 1);
      if (parsed !== null) {
        children.push(parsed);
        const s = rawSizes[i];
        sizes.push(typeof s === "number" && Number.isFinite(s) && s >= 0 ? s : 1);
      }
    });
    return children.length === 0 ? null : { type: "split-area", orientation, children, sizes };
  }
  return null;
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
