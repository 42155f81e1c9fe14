/**
 * The table of contents side panel: headings of the active document, as a navigable tree.
 * A notebook's headings are sections that run (a ▶ button and the "Run Section" context menu
 * item on each heading).
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import "@preact/signals";
import { render } from "preact";
import { CommandIds as C } from "../commands/ids";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import type { DocumentWidget } from "../views/document";

/** The heading a context menu was opened on (what "Run Section" runs). */
let menuTarget: { doc: DocumentWidget; line: number } | null = null;

class TocPanel extends Widget {
  constructor(private readonly app: CarnetApp) {
    super();
    this.id = "table-of-contents";
    this.addClass("carnet-SidePanel");
    this.title.label = "Contents";
    this.title.caption = "Table of contents";
    render(<this.View />, this.node);
    this.node.addEventListener(
      "contextmenu",
      (event) => {
        const item = event.target instanceof Element ? event.target.closest<HTMLElement>(".carnet-Toc-item") : null;
        const doc = this.app.docs.active.value;
        const line = Number(item?.dataset["line"]);
        menuTarget = item != null && doc !== null && Number.isInteger(line) ? { doc, line } : null;
      },
      true,
    );
  }

  private readonly View = (): preact.JSX.Element => {
    const doc = this.app.docs.active.value;
    const headings = doc?.outline.value ?? [];
    const runs = doc?.canRunSections ?? false;
    return (
      <div class="carnet-Toc">
        <h2 class="carnet-SidePanel-title">{doc === null ? "Table of contents" : doc.title.label}</h2>
        {headings.length === 0 ? (
          <p class="carnet-Running-empty">
            {doc === null ? "Open a document to see its headings." : "This document has no headings."}
          </p>
        ) : (
          <ul class="carnet-Toc-list" role="tree" aria-label="Headings">
            {headings.map((h, i) => (
              <li
                key={`${h.line}-${i}`}
                role="treeitem"
                aria-level={h.level}
                class={`carnet-Toc-item carnet-Toc-level${h.level}${runs ? " carnet-mod-runnable" : ""}`}
                data-line={String(h.line)}
              >
                <button
                  type="button"
                  onClick={() => {
                    if (doc === null) return;
                    this.app.shell.activate(doc);
                    doc.revealLine(h.line);
                  }}
                >
                  {h.text}
                </button>
                {runs && doc !== null ? (
                  <button
                    type="button"
                    class="carnet-Toc-run"
                    title="Run this section"
                    aria-label={`Run section ${h.text}`}
                    onClick={() => void doc.runOutlineSection(h.line)}
                  >
                    ▶
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  };

  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.node.querySelector<HTMLElement>("button")?.focus();
  }
}

export const tocPlugin: CarnetPlugin = {
  id: "@carnet/toc-extension:plugin",
  activate(app: CarnetApp) {
    app.panels.add({ id: "table-of-contents", rank: 30, create: () => new TocPanel(app) });
    app.commands.addCommand(C.showToc, {
      label: "Table of Contents",
      execute: () => app.shell.activateLeft("table-of-contents"),
    });
    app.commands.addCommand(C.tocRunSection, {
      label: "Run Section",
      caption: "Run the heading's cell and the cells of its section",
      isEnabled: () => menuTarget !== null && menuTarget.doc.canRunSections,
      execute: () => (menuTarget === null ? undefined : menuTarget.doc.runOutlineSection(menuTarget.line)),
    });
    app.contextMenu.addItem({ command: C.tocRunSection, selector: ".carnet-Toc-item.carnet-mod-runnable", rank: 1 });
    app.menus.items.add({ id: "view:toc", menu: "view", command: C.showToc, group: 1, rank: 2 });
    app.palette.add({ id: "palette:toc", command: C.showToc, category: "Main Area" });
  },
};
