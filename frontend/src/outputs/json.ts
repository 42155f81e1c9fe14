/**
 * `application/json` outputs as a small collapsible tree (`<details>`: keyboard and screen
 * reader support come with the element). Big containers show their first entries and a
 * "Show more" button, so a huge value does not build a huge DOM.
 */

const PAGE = 100;

function summary(value: object): string {
  if (Array.isArray(value)) return `Array(${value.length})`;
  const n = Object.keys(value).length;
  return `{${n} key${n === 1 ? "" : "s"}}`;
}

function kind(value: unknown): string {
  if (value === null) return "null";
  return typeof value;
}

function leaf(name: string | null, value: unknown): HTMLElement {
  const li = document.createElement("li");
  li.className = "carnet-JsonOut-leaf";
  if (name !== null) li.append(key(name));
  const v = document.createElement("span");
  v.className = `carnet-JsonOut-value carnet-JsonOut-${kind(value)}`;
  v.textContent = JSON.stringify(value) ?? String(value);
  li.append(v);
  return li;
}

function key(name: string): HTMLElement {
  const k = document.createElement("span");
  k.className = "carnet-JsonOut-key";
  k.textContent = `${name}: `;
  return k;
}

function entriesOf(value: object): [string, unknown][] {
  return Array.isArray(value)
    ? value.map((v: unknown, i): [string, unknown] => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
}

function fill(
  list: HTMLElement,
  entries: readonly [string, unknown][],
  from: number,
  depth: number,
  openDepth: number,
): void {
  const end = Math.min(entries.length, from + PAGE);
  for (let i = from; i < end; i += 1) {
    const [name, value] = entries[i] ?? ["", null];
    list.append(item(name, value, depth + 1, openDepth));
  }
  if (end < entries.length) {
    const li = document.createElement("li");
    const more = document.createElement("button");
    more.type = "button";
    more.className = "carnet-Button carnet-mod-small";
    more.textContent = `Show ${Math.min(PAGE, entries.length - end)} more of ${entries.length - end}`;
    more.addEventListener("click", () => {
      li.remove();
      fill(list, entries, end, depth, openDepth);
    });
    li.append(more);
    list.append(li);
  }
}

function item(name: string | null, value: unknown, depth: number, openDepth: number): HTMLElement {
  if (value === null || typeof value !== "object") return leaf(name, value);
  const li = document.createElement("li");
  li.className = "carnet-JsonOut-branch";
  const details = document.createElement("details");
  details.open = depth < openDepth;
  const head = document.createElement("summary");
  if (name !== null) head.append(key(name));
  const s = document.createElement("span");
  s.className = "carnet-JsonOut-summary";
  s.textContent = summary(value);
  head.append(s);
  details.append(head);
  const list = document.createElement("ul");
  let filled = false;
  const ensure = (): void => {
    if (filled) return;
    filled = true;
    fill(list, entriesOf(value), 0, depth, openDepth);
  };
  if (details.open) ensure();
  details.addEventListener("toggle", ensure);
  details.append(list);
  li.append(details);
  return li;
}

/** The tree of `value`: its first level open, or its first levels when `expanded`. */
export function renderJson(value: unknown, expanded: boolean): HTMLElement {
  const root = document.createElement("ul");
  root.className = "carnet-JsonOut";
  const node = item(null, value, 0, expanded ? 4 : 1);
  root.append(node);
  return root;
}
