/**
 * JSON as a collapsible tree (an ARIA tree: arrow keys move and fold, Enter toggles). Big
 * objects and arrays show their first children and a "show more" button, so a 50 MB file
 * does not build a million DOM nodes.
 */
import { render } from "preact";
import { useState } from "preact/hooks";
import { el } from "../../util/dom";
import type { RendererFactory, TextRenderer } from "./text-viewer";

const PAGE = 200;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function preview(value: Json): string {
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (value !== null && typeof value === "object") return `{${Object.keys(value).length} keys}`;
  return JSON.stringify(value);
}

function kind(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function Node(props: { name: string | null; value: Json; level: number; open: boolean }): preact.JSX.Element {
  const { name, value, level } = props;
  const [open, setOpen] = useState(props.open);
  const [shown, setShown] = useState(PAGE);
  const container = value !== null && typeof value === "object";
  const entries: [string, Json][] = !container
    ? []
    : Array.isArray(value)
      ? value.map((v, i) => [String(i), v])
      : Object.entries(value);
  const label = (
    <>
      {name !== null && <span class="carnet-Json-key">{name}: </span>}
      {container ? (
        <span class="carnet-Json-summary">{preview(value)}</span>
      ) : (
        <span class={`carnet-Json-value carnet-Json-${kind(value)}`}>{JSON.stringify(value)}</span>
      )}
    </>
  );
  if (!container) {
    return (
      <li role="treeitem" aria-level={level} tabIndex={-1} class="carnet-Json-leaf">
        {label}
      </li>
    );
  }
  return (
    <li role="treeitem" aria-level={level} aria-expanded={open} tabIndex={-1} class="carnet-Json-branch">
      <span
        class="carnet-Json-toggle"
        onClick={(e) => {
          e.stopPropagation();
          setOpen(!open);
        }}
      >
        <span aria-hidden="true" class="carnet-Json-caret">
          {open ? "▾" : "▸"}
        </span>
        {label}
      </span>
      {open && (
        <ul role="group">
          {entries.slice(0, shown).map(([k, v]) => (
            <Node key={k} name={k} value={v} level={level + 1} open={false} />
          ))}
          {entries.length > shown && (
            <li role="none">
              <button type="button" class="carnet-Button" onClick={() => setShown(shown + PAGE * 5)}>
                Show more ({entries.length - shown} left)
              </button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

/** Arrow keys move between visible items; Left/Right fold and unfold; Enter toggles. */
function onTreeKey(event: KeyboardEvent): void {
  const tree = event.currentTarget as HTMLElement;
  const items = [...tree.querySelectorAll<HTMLElement>("[role=treeitem]")];
  const current = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>("[role=treeitem]");
  const index = current === null || current === undefined ? -1 : items.indexOf(current);
  const focus = (i: number): void => {
    const target = items[Math.max(0, Math.min(items.length - 1, i))];
    if (target === undefined) return;
    for (const item of items) item.tabIndex = -1;
    target.tabIndex = 0;
    target.focus();
  };
  const toggle = current?.querySelector<HTMLElement>(":scope > .carnet-Json-toggle");
  const expanded = current?.getAttribute("aria-expanded");
  switch (event.key) {
    case "ArrowDown":
      focus(index + 1);
      break;
    case "ArrowUp":
      focus(index - 1);
      break;
    case "Home":
      focus(0);
      break;
    case "End":
      focus(items.length - 1);
      break;
    case "ArrowRight":
      if (expanded === "false") toggle?.click();
      else focus(index + 1);
      break;
    case "ArrowLeft":
      if (expanded === "true") toggle?.click();
      else focus(items.indexOf(current?.parentElement?.closest<HTMLElement>("[role=treeitem]") ?? current ?? items[0]!));
      break;
    case "Enter":
    case " ":
      toggle?.click();
      break;
    default:
      return;
  }
  event.preventDefault();
}

class JsonTree implements TextRenderer {
  private readonly root: HTMLDivElement;

  constructor(host: HTMLElement) {
    this.root = el("div", { className: "carnet-Json" });
    host.append(this.root);
  }

  update(text: string): void {
    let value: Json;
    try {
      value = JSON.parse(text) as Json;
    } catch (error: unknown) {
      render(
        <p class="carnet-Notice-inline" role="alert">
          Not valid JSON: {error instanceof Error ? error.message : String(error)}
        </p>,
        this.root,
      );
      return;
    }
    render(
      <ul class="carnet-Json-tree" role="tree" aria-label="JSON" onKeyDown={onTreeKey}>
        <Node name={null} value={value} level={1} open={true} />
      </ul>,
      this.root,
    );
    const first = this.root.querySelector<HTMLElement>("[role=treeitem]");
    if (first !== null) first.tabIndex = 0;
  }

  dispose(): void {
    render(null, this.root);
  }
}

export const createJsonTree: RendererFactory = (host) => new JsonTree(host);
