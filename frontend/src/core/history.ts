/**
 * The notebook history command: "Show Notebook History" (File menu, palette) opens the saved
 * versions of the active notebook in a tab beside it (notebook/history-view.tsx, a lazy
 * chunk): preview, cell-level comparison with the notebook, undoable restore.
 */
import { CommandIds as C } from "../commands/ids";
import type { HistoryTarget } from "../notebook/history-view";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";

function isNotebook(widget: unknown): widget is HistoryTarget {
  return (
    typeof widget === "object" &&
    widget !== null &&
    (widget as { viewerId?: unknown }).viewerId === "notebook" &&
    "restoreCells" in widget
  );
}

export const historyPlugin: CarnetPlugin = {
  id: "@carnet/history-extension:plugin",
  activate(app: CarnetApp) {
    const active = (): HistoryTarget | null => {
      const doc = app.docs.active.value;
      return isNotebook(doc) ? doc : null;
    };
    app.commands.addCommand(C.showHistory, {
      label: "Show Notebook History",
      caption: "The saved versions of this notebook: preview, compare and restore",
      isEnabled: () => active() !== null,
      execute: async () => {
        const notebook = active();
        if (notebook === null) return;
        const { openHistory } = await import("../notebook/history-view");
        openHistory(app, notebook);
      },
    });
    app.menus.items.add({ id: "file:notebook-history", menu: "file", command: C.showHistory, group: 2, rank: 4 });
    app.palette.add({ id: "palette:notebook-history", command: C.showHistory, category: "Notebook Operations" });
  },
};
