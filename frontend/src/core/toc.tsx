/** The table of contents side panel: headings of the active document, as a navigable tree. */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import "@preact/signals";
import { render } from "preact";
import { CommandIds as C } from "../commands/ids";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";

class TocPanel extends Widget {
  constructor(private readonly app: CarnetApp) {
    super();
    this.id = "table-of-contents";
    this.addClass("carnet-SidePanel");
    this.title.label = "Contents";
    this.title.caption = "Table of contents";
    render(<this.View />, this.node);
  }

  private readonly View = (): preact.JSX.Element => {
    const doc = this.app.docs.active.value;
    const headings = doc?.outline.value ?? [];
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
              <li key={`${h.line}-${i}`} role="treeitem" aria-level={h.level} class={`carnet-Toc-item carnet-Toc-level${h.level}`}>
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
    app.menus.items.add({ id: "view:toc", menu: "view", command: C.showToc, group: 1, rank: 2 });
    app.palette.add({ id: "palette:toc", command: C.showToc, category: "Main Area" });
  },
};
