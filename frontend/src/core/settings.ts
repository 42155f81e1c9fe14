/** Settings and keyboard-shortcut editors: commands to open them, and the Settings menu. */
import type { Widget } from "@lumino/widgets";
import { CommandIds as C } from "../commands/ids";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { SettingsEditor } from "../views/settings-editor";
import { ShortcutsEditor } from "../views/shortcuts-editor";

export const settingsPlugin: CarnetPlugin = {
  id: "@carnet/settingeditor-extension:plugin",
  activate(app: CarnetApp) {
    const { commands } = app;
    let settingsEditor: SettingsEditor | null = null;
    let shortcutsEditor: ShortcutsEditor | null = null;
    const getSettingsEditor = (): SettingsEditor => {
      if (settingsEditor === null || settingsEditor.isDisposed) settingsEditor = new SettingsEditor(app.settings);
      return settingsEditor;
    };
    const getShortcutsEditor = (): ShortcutsEditor => {
      if (shortcutsEditor === null || shortcutsEditor.isDisposed) {
        shortcutsEditor = new ShortcutsEditor(app.commands, app.keymap, () => [
          ...new Set(app.palette.all().map((p) => p.command)),
        ]);
      }
      return shortcutsEditor;
    };
    const show = (widget: Widget): void => {
      if (widget.parent === null) app.shell.addToMain(widget);
      app.shell.activate(widget);
    };
    commands.addCommand(C.openSettings, {
      label: "Settings Editor",
      execute: () => show(getSettingsEditor()),
    });
    commands.addCommand(C.openShortcuts, {
      label: "Keyboard Shortcuts",
      execute: () => show(getShortcutsEditor()),
    });
    // Both editors come back with the layout after a reload.
    app.tabKinds.add({
      id: "settings",
      save: (w) => (w instanceof SettingsEditor ? { name: "editor" } : null),
      restore: () => getSettingsEditor(),
    });
    app.tabKinds.add({
      id: "shortcuts",
      save: (w) => (w instanceof ShortcutsEditor ? { name: "editor" } : null),
      restore: () => getShortcutsEditor(),
    });
    const items = app.menus.items;
    items.add({ id: "settings:editor", menu: "settings", command: C.openSettings, group: 5, rank: 0 });
    items.add({ id: "settings:shortcuts", menu: "settings", command: C.openShortcuts, group: 5, rank: 1 });
    items.add({ id: "help:shortcuts", menu: "help", command: C.openShortcuts, group: 0, rank: 0 });
    app.palette.add({ id: "palette:settings", command: C.openSettings, category: "Settings" });
    app.palette.add({ id: "palette:shortcuts", command: C.openShortcuts, category: "Settings" });
  },
};
