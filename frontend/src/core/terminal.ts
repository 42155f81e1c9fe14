/**
 * Terminals: "New Terminal" (File > New, the palette), terminal tabs (views/terminal-widget.ts,
 * xterm.js loaded on demand), their settings, copy/paste/find commands and context menu, the
 * "Terminals" section of the running panel, and the tab kind that lets the layout reopen
 * terminal tabs after a reload. A server without terminals (`/api/terminals` answers 404)
 * gets none of the entries.
 */
import { computed, signal } from "@preact/signals-core";
import { type TerminalModel, createTerminal, listTerminals, shutdownTerminal } from "../api";
import { CommandIds as C } from "../commands/ids";
import type { CarnetApp, CarnetPlugin, RunningProvider } from "../plugins/api";
import { describeError } from "../views/notify";
import { TERMINAL_SELECTOR, TerminalWidget, type TerminalSettings } from "../views/terminal-widget";
import { CWD_KEY } from "./filebrowser";

export const TERMINAL_SETTINGS = "@carnet/terminal-extension:plugin";

export const terminalPlugin: CarnetPlugin = {
  id: "@carnet/terminal-extension:plugin",
  activate(app: CarnetApp) {
    const { commands, settings } = app;
    settings.register({
      id: TERMINAL_SETTINGS,
      title: "Terminal",
      rank: 30,
      fields: [
        { key: "scrollback", title: "Scrollback (lines)", type: "number", default: 5000, min: 0, max: 100000 },
        { key: "cursorBlink", title: "Blinking cursor", type: "boolean", default: true },
        { key: "closeOnExit", title: "Close the tab when the shell exits", type: "boolean", default: true },
        { key: "pasteWithCtrlV", title: "Paste with Ctrl+V (else Ctrl+Shift+V)", type: "boolean", default: true },
      ],
    });
    const field = <T>(key: string) => settings.watch<T>(TERMINAL_SETTINGS, key);
    const scrollback = field<number>("scrollback");
    const cursorBlink = field<boolean>("cursorBlink");
    const closeOnExit = field<boolean>("closeOnExit");
    const pasteWithCtrlV = field<boolean>("pasteWithCtrlV");
    const config = computed<TerminalSettings>(() => ({
      scrollback: scrollback.value,
      cursorBlink: cursorBlink.value,
      closeOnExit: closeOnExit.value,
      pasteWithCtrlV: pasteWithCtrlV.value,
    }));

    /** The server's terminals; null while unknown or when it offers none. */
    const running = signal<readonly TerminalModel[] | null>(null);
    const available = signal<boolean | null>(null);
    const refresh = async (): Promise<void> => {
      const list = await listTerminals(app.conn);
      running.value = list;
      if (available.peek() !== (list !== null)) {
        available.value = list !== null;
        commands.notifyCommandChanged(C.newTerminal);
      }
    };
    // Started now, in parallel with the rest of start-up; the layout awaits it (prepare).
    const probe = refresh().catch((error: unknown) => {
      console.warn("carnet: could not list terminals", error);
    });

    const widgets = new Map<string, TerminalWidget>();
    const widgetFor = (name: string): TerminalWidget => {
      let widget = widgets.get(name);
      if (widget === undefined || widget.isDisposed) {
        const created = new TerminalWidget(
          {
            conn: app.conn,
            settings: config,
            onEnded: (w) => {
              void refresh().catch(() => undefined);
              if (config.peek().closeOnExit) w.close();
            },
          },
          name,
        );
        created.disposed.connect(() => {
          if (widgets.get(name) === created) widgets.delete(name);
        });
        widgets.set(name, created);
        widget = created;
      }
      return widget;
    };
    const open = (name: string): TerminalWidget => {
      const widget = widgetFor(name);
      if (widget.parent === null) app.shell.addToMain(widget);
      app.shell.activate(widget);
      return widget;
    };
    const current = (): TerminalWidget | null => {
      const w = app.shell.current.value;
      return w instanceof TerminalWidget && !w.isDisposed ? w : null;
    };
    const fail = (what: string) => (error: unknown) => app.notify(`${what}: ${describeError(error)}`, "error");

    commands.addCommand(C.newTerminal, {
      label: (args) => (args["isPalette"] === true ? "New Terminal" : "Terminal"),
      caption: "Start a new terminal on the server, in the file browser's folder",
      isVisible: () => available.value === true,
      execute: async () => {
        const cwd = app.state.get(CWD_KEY);
        const folder =
          typeof cwd === "object" && cwd !== null && typeof (cwd as { path?: unknown }).path === "string"
            ? (cwd as { path: string }).path
            : "";
        try {
          const model = await createTerminal(app.conn, folder);
          running.value = [...(running.peek() ?? []).filter((t) => t.name !== model.name), model];
          open(model.name);
        } catch (error: unknown) {
          fail("Could not start a terminal")(error);
        }
      },
    });
    commands.addCommand(C.openTerminal, {
      label: (args) => `Terminal ${String(args["name"] ?? "")}`,
      execute: (args) => {
        const name = args["name"];
        if (typeof name === "string" && name !== "") open(name);
      },
    });
    commands.addCommand(C.terminalCopy, {
      label: "Copy",
      caption: "Copy the terminal's selection",
      isEnabled: () => current()?.hasSelection() ?? false,
      execute: () => current()?.copySelection().catch(fail("Could not copy")),
    });
    commands.addCommand(C.terminalPaste, {
      label: "Paste",
      caption: "Paste the clipboard's text into the terminal",
      isEnabled: () => current() !== null,
      execute: () => current()?.pasteClipboard().catch(fail("Could not paste")),
    });
    commands.addCommand(C.terminalSelectAll, {
      label: "Select All",
      isEnabled: () => current() !== null,
      execute: () => current()?.selectAll(),
    });
    commands.addCommand(C.terminalFind, {
      label: "Find in Terminal…",
      isEnabled: () => current() !== null,
      execute: () => current()?.openSearch(),
    });
    commands.addCommand(C.terminalShutdown, {
      label: "Shut Down Terminal",
      caption: "End the shell of this terminal",
      isEnabled: () => current() !== null,
      execute: async () => {
        const widget = current();
        if (widget === null) return;
        await shutdownTerminal(app.conn, widget.name).catch(fail("Could not shut down the terminal"));
        await refresh().catch(() => undefined);
      },
    });
    app.keymap.addDefaults([{ command: C.terminalFind, keys: ["Accel F"], selector: TERMINAL_SELECTOR }]);

    app.menus.items.add({ id: "file-new:terminal", menu: "file-new", command: C.newTerminal, rank: 6 });
    app.palette.add({ id: "palette:terminal:new", command: C.newTerminal, category: "Terminal", args: { isPalette: true } });
    app.palette.add({ id: "palette:terminal:find", command: C.terminalFind, category: "Terminal" });
    app.palette.add({ id: "palette:terminal:shutdown", command: C.terminalShutdown, category: "Terminal" });
    const ctx = app.contextMenu;
    const where = `.carnet-TerminalPanel ${TERMINAL_SELECTOR}`;
    ctx.addItem({ command: C.terminalCopy, selector: where, rank: 1 });
    ctx.addItem({ command: C.terminalPaste, selector: where, rank: 2 });
    ctx.addItem({ command: C.terminalSelectAll, selector: where, rank: 3 });
    ctx.addItem({ type: "separator", selector: where, rank: 4 });
    ctx.addItem({ command: C.terminalFind, selector: where, rank: 5 });
    ctx.addItem({ command: C.terminalShutdown, selector: where, rank: 6 });

    app.tabKinds.add({
      id: "terminal",
      save: (widget) => (widget instanceof TerminalWidget ? { name: widget.name } : null),
      prepare: () => probe,
      // Only terminals that still run come back: a handshake to a missing one would fail.
      restore: (name) => ((running.peek() ?? []).some((t) => t.name === name) ? widgetFor(name) : null),
    });

    const provider: RunningProvider = {
      id: "terminals",
      label: "Terminals",
      empty: "No terminals are running.",
      rank: 20,
      items: computed(() => {
        const list = running.value;
        return list === null
          ? null
          : list.map((t) => ({
              id: t.name,
              label: `Terminal ${t.name}`,
              caption: t.lastActivity === "" ? `Terminal ${t.name}` : `Terminal ${t.name}, last active ${t.lastActivity}`,
            }));
      }),
      refresh: () => (available.peek() === false ? Promise.resolve() : refresh()),
      open: (name) => void open(name),
      shutdown: async (name) => {
        await shutdownTerminal(app.conn, name);
        running.value = (running.peek() ?? []).filter((t) => t.name !== name);
      },
      shutdownAll: async () => {
        await Promise.all((running.peek() ?? []).map((t) => shutdownTerminal(app.conn, t.name)));
        running.value = running.peek() === null ? null : [];
      },
    };
    app.running.add(provider);
  },
};
