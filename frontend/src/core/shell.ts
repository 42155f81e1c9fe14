/**
 * Shell commands and chrome: the palette, side panel and tab commands, the Tabs/View/Help
 * menus, the status bar items (path, save state, cursor, kernel) and the default keymap.
 * Run and Kernel menus act on the current kernel-backed tab (views/kernel-tab.ts), and are
 * disabled while there is none.
 */
import { h } from "preact";
import { getVersion } from "../api";
import { CommandIds as C } from "../commands/ids";
import { DEFAULT_KEYMAP } from "../commands/keymap";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { showDialog } from "../views/dialogs";
import { isDocument } from "../views/document";
import { type KernelTab, isKernelTab } from "../views/kernel-tab";

export const shellPlugin: CarnetPlugin = {
  id: "@carnet/application-extension:shell",
  activate(app: CarnetApp) {
    const { commands, shell } = app;
    app.keymap.addDefaults(DEFAULT_KEYMAP);
    const hasTabs = (): boolean => shell.mainWidgets.value.length > 0;

    commands.addCommand(C.toggleLeft, {
      label: "Show Left Sidebar",
      isToggled: () => !shell.leftCollapsed.value,
      isVisible: () => app.mode === "lab",
      execute: () => shell.toggleLeft(),
    });
    commands.addCommand(C.closeTab, {
      label: "Close Tab",
      isEnabled: () => shell.currentInDock() !== null,
      execute: () => shell.currentInDock()?.close(),
    });
    commands.addCommand(C.closeAll, {
      label: "Close All Tabs",
      isEnabled: hasTabs,
      execute: () => {
        for (const w of [...shell.mainWidgets.value]) w.close();
      },
    });
    commands.addCommand(C.closeOthers, {
      label: "Close All Other Tabs",
      isEnabled: () => shell.mainWidgets.value.length > 1,
      execute: () => {
        const keep = shell.currentInDock();
        for (const w of [...shell.mainWidgets.value]) if (w !== keep) w.close();
      },
    });
    commands.addCommand(C.nextTab, {
      label: "Activate Next Tab",
      isEnabled: hasTabs,
      execute: () => shell.cycleTabs(1),
    });
    commands.addCommand(C.prevTab, {
      label: "Activate Previous Tab",
      isEnabled: hasTabs,
      execute: () => shell.cycleTabs(-1),
    });
    commands.addCommand("application:activate-tab", {
      label: (args) => {
        const w = shell.mainWidgets.value.find((x) => x.id === args["id"]);
        return w?.title.label ?? "Tab";
      },
      isToggled: (args) => shell.currentInDock()?.id === args["id"],
      execute: (args) => {
        const w = shell.mainWidgets.value.find((x) => x.id === args["id"]);
        if (w !== undefined) shell.activate(w);
      },
    });
    commands.addCommand(C.logout, {
      label: "Log Out",
      execute: () => {
        window.location.assign(`${app.conn.baseUrl}logout`);
      },
    });
    commands.addCommand(C.about, {
      label: "About carnet",
      execute: async () => {
        let version = "";
        try {
          version = await getVersion(app.conn);
        } catch {
          version = "unknown";
        }
        await showDialog({
          title: "About carnet",
          id: "about",
          body: h(
            "div",
            null,
            h("p", null, `carnet — a Jupyter-compatible notebook server and IDE. Server API ${version}.`),
            h("p", null, "Press Ctrl/Cmd+Shift+C for every command."),
          ),
          buttons: [{ label: "Close", value: true, accept: true }],
        });
      },
    });
    // Run and Kernel act on the current kernel-backed tab (views/kernel-tab.ts): notebooks
    // and consoles implement it; until one is open the commands are disabled.
    const kernelTab = (): KernelTab | null => {
      const w = shell.current.value;
      return isKernelTab(w) && w.parent !== null ? w : null;
    };
    for (const [id, label, action] of [
      [C.runSelected, "Run Selected Cells", "runSelected"],
      [C.runAll, "Run All Cells", "runAll"],
      [C.interruptKernel, "Interrupt Kernel", "interruptKernel"],
      [C.restartKernel, "Restart Kernel…", "restartKernel"],
    ] as const) {
      commands.addCommand(id, {
        label,
        caption: "Acts on the current notebook or console",
        isEnabled: () => kernelTab()?.[action] !== undefined,
        execute: () => kernelTab()?.[action]?.(),
      });
    }

    const items = app.menus.items;
    items.add({ id: "file:close", menu: "file", command: C.closeTab, group: 4, rank: 0 });
    items.add({ id: "file:close-all", menu: "file", command: C.closeAll, group: 4, rank: 1 });
    items.add({ id: "file:logout", menu: "file", command: C.logout, group: 9, rank: 0 });
    items.add({ id: "view:palette", menu: "view", command: C.palette, group: 0, rank: 0 });
    items.add({ id: "view:left", menu: "view", command: C.toggleLeft, group: 1, rank: -1 });
    items.add({ id: "run:selected", menu: "run", command: C.runSelected, rank: 0 });
    items.add({ id: "run:all", menu: "run", command: C.runAll, rank: 1 });
    items.add({ id: "kernel:interrupt", menu: "kernel", command: C.interruptKernel, rank: 0 });
    items.add({ id: "kernel:restart", menu: "kernel", command: C.restartKernel, rank: 1 });
    items.add({ id: "tabs:next", menu: "tabs", command: C.nextTab, group: 0, rank: 0 });
    items.add({ id: "tabs:prev", menu: "tabs", command: C.prevTab, group: 0, rank: 1 });
    items.add({ id: "tabs:close", menu: "tabs", command: C.closeTab, group: 1, rank: 0 });
    items.add({ id: "tabs:close-others", menu: "tabs", command: C.closeOthers, group: 1, rank: 1 });
    items.add({ id: "tabs:close-all", menu: "tabs", command: C.closeAll, group: 1, rank: 2 });
    items.add({ id: "help:about", menu: "help", command: C.about, group: 9, rank: 0 });

    // The Tabs menu lists open tabs.
    let tabItems: { dispose(): void }[] = [];
    let scheduled = false;
    const syncTabs = (): void => {
      scheduled = false;
      for (const d of tabItems) d.dispose();
      tabItems = shell.mainWidgets.value.map((w, i) =>
        items.add({
          id: `tabs:tab:${w.id}`,
          menu: "tabs",
          command: "application:activate-tab",
          args: { id: w.id },
          group: 2,
          rank: i,
        }),
      );
    };
    shell.changed.connect(() => {
      if (!scheduled) {
        scheduled = true;
        setTimeout(syncTabs, 0);
      }
    });

    const category = "Main Area";
    for (const command of [C.closeTab, C.closeAll, C.closeOthers, C.nextTab, C.prevTab, C.toggleLeft]) {
      app.palette.add({ id: `palette:${command}`, command, category });
    }
    app.palette.add({ id: `palette:${C.about}`, command: C.about, category: "Help" });
    app.palette.add({ id: `palette:${C.logout}`, command: C.logout, category: "Main Area" });

    // Status bar.
    app.statusItems.add({
      id: "kernel",
      align: "left",
      rank: 10,
      render: () => {
        const tab = kernelTab();
        return h("span", { class: "carnet-Status-kernel", title: "Kernel status" }, tab?.kernelStatus.value ?? "No Kernel");
      },
    });
    app.statusItems.add({
      id: "path",
      align: "left",
      rank: 20,
      render: () => {
        const doc = app.docs.active.value;
        return doc === null ? null : h("span", { title: doc.path.value }, doc.path.value);
      },
    });
    app.statusItems.add({
      id: "position",
      align: "right",
      rank: 10,
      render: () => app.docs.active.value?.position.value ?? null,
    });
    app.statusItems.add({
      id: "save-state",
      align: "right",
      rank: 20,
      render: () => {
        const doc = app.docs.active.value;
        if (doc === null) return null;
        const state = doc.saveState.value;
        const labels: Record<string, string> = {
          saved: "Saved",
          modified: "Unsaved changes",
          saving: "Saving…",
          "read-only": "Read-only",
          error: "Save failed",
        };
        return state === "" ? null : h("span", { class: `carnet-Status-save carnet-mod-${state}` }, labels[state] ?? "");
      },
    });

    // The page title and address follow the active document.
    const base = app.conn.baseUrl;
    shell.changed.connect(update);
    let lastPath: string | null = null;
    function update(): void {
      const current = shell.current.value;
      const doc = isDocument(current) && current.parent !== null ? current : null;
      const path = doc?.path.value ?? null;
      document.title = doc === null ? "carnet" : `${doc.title.label} - carnet`;
      if (path === lastPath || app.mode !== "lab") return;
      lastPath = path;
      const url = path === null ? `${base}lab` : `${base}lab/tree/${path.split("/").map(encodeURIComponent).join("/")}`;
      if (window.location.pathname !== url) window.history.replaceState(null, "", url);
    }
    app.docs.active.subscribe(() => update());
  },
};
