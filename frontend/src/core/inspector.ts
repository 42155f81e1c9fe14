/**
 * Contextual help: the "Show Contextual Help" command (JupyterLab's `inspector:open`, Ctrl+I)
 * opens a panel beside the documents that follows the cursor of the focused code cell or
 * console prompt. The panel's code is a small lazy chunk.
 */
import type { Widget } from "@lumino/widgets";
import { contextualHelp } from "../model/help";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { describeError } from "../views/notify";

export const INSPECTOR_OPEN = "inspector:open";

export const inspectorPlugin: CarnetPlugin = {
  id: "@carnet/inspector-extension:inspector",
  activate(app: CarnetApp) {
    let panel: Widget | null = null;
    app.commands.addCommand(INSPECTOR_OPEN, {
      label: "Show Contextual Help",
      caption: "Documentation of the name under the cursor in a code cell or console",
      execute: async () => {
        if (panel === null || panel.isDisposed) {
          let mod: typeof import("../views/help-panel");
          try {
            mod = await import("../views/help-panel");
          } catch (error: unknown) {
            app.notify(`Could not open the contextual help: ${describeError(error)}`, "error");
            return;
          }
          if (panel === null || panel.isDisposed) panel = new mod.HelpPanel(contextualHelp);
        }
        // Beside the documents, without taking the focus from the editor it follows.
        if (panel.parent === null) app.shell.addToMain(panel, { mode: "split-right", activate: false });
      },
    });
    app.keymap.addDefaults([{ command: INSPECTOR_OPEN, keys: ["Accel I"], selector: "body" }]);
    app.menus.items.add({ id: "help:inspector", menu: "help", command: INSPECTOR_OPEN, group: 1, rank: 0 });
    app.palette.add({ id: `palette:${INSPECTOR_OPEN}`, command: INSPECTOR_OPEN, category: "Help" });
  },
};
