/**
 * Code consoles: "New Console" (File > New, the palette) asks for a kernel (a new one of any
 * kernelspec, or a running notebook's) and opens a console tab on it (console/widget.ts,
 * loaded on demand). The console's session (type "console") lives on the server: a reload
 * reopens the tab on the same kernel with its input history (kept in the workspace state);
 * closing the tab ends the session (its kernel stops, unless a notebook shares it).
 */
import type { Widget } from "@lumino/widgets";
import type { ReadonlySignal } from "@preact/signals-core";
import { type KernelSpecs, isRecord, listKernelSpecs, listKernels, listSessions } from "../api";
import { type SessionInfo, createSession, deleteSession } from "../api/kernel-socket";
import { CommandIds as C } from "../commands/ids";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { confirm } from "../views/dialogs";
import { describeError } from "../views/notify";
import { dirname } from "../util/paths";
import { CWD_KEY } from "./filebrowser";

type ConsoleModule = typeof import("../console/widget");
type ConsoleWidget = InstanceType<ConsoleModule["ConsoleWidget"]>;

/** The class of text editor tabs (views/editor-widget.ts). */
const EDITOR_CLASS = "carnet-EditorPanel";

/** Files in these languages run their lines in a console on Shift+Enter (after asking for a kernel). */
const RUNNABLE_LANGUAGES = ["python", "r", "julia"];

/** The state key of the consoles' input histories. */
const HISTORY_KEY = "consoles:history";

let loading: Promise<ConsoleModule> | null = null;
function loadConsole(): Promise<ConsoleModule> {
  loading ??= import("../console/widget").catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

function cwd(app: CarnetApp): string {
  const value = app.state.get(CWD_KEY);
  return isRecord(value) && typeof value["path"] === "string" ? value["path"] : "";
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : [];
}

export const consolePlugin: CarnetPlugin = {
  id: "@carnet/console-extension:plugin",
  activate(app: CarnetApp) {
    const { commands } = app;
    const widgets = new Set<ConsoleWidget>();
    let counter = 0;
    let specsCache: KernelSpecs | null = null;
    const specs = async (): Promise<KernelSpecs> => (specsCache ??= await listKernelSpecs(app.conn));
    /** Session ids that still exist on the server (learned before the layout restores). */
    let liveSessions = new Set<string>();

    const current = (): ConsoleWidget | null => {
      const w = app.shell.current.value;
      return w !== null && widgets.has(w as ConsoleWidget) && !w.isDisposed ? (w as ConsoleWidget) : null;
    };

    /** Input histories by session id, in the workspace's state (saved as they change). */
    const histories = (): Record<string, unknown> => {
      const value = app.state.get(HISTORY_KEY);
      return isRecord(value) ? value : {};
    };
    const setHistory = (sessionId: string, inputs: readonly string[] | null): void => {
      const next = { ...histories() };
      if (inputs === null) delete next[sessionId];
      else next[sessionId] = inputs;
      app.state.set(HISTORY_KEY, next);
    };

    const build = async (session: SessionInfo, name: string): Promise<ConsoleWidget> => {
      const [mod, all] = await Promise.all([loadConsole(), specs().catch(() => null)]);
      const spec = all?.specs.find((s) => s.name === session.kernelName);
      const history = strings(histories()[session.id]);
      const widget: ConsoleWidget = new mod.ConsoleWidget({
        conn: app.conn,
        session,
        name,
        history,
        kernelDisplayName: spec?.displayName ?? (session.kernelName || "Kernel"),
        language: spec?.language.toLowerCase() ?? "python",
        confirmRestart: () =>
          confirm("Restart the kernel?", "Its variables will be lost.", "Restart", true),
        notify: (message, kind) => app.notify(message, kind),
        onChange: () => setHistory(session.id, widget.inputs),
      });
      widgets.add(widget);
      widget.disposed.connect(() => {
        widgets.delete(widget);
        if (widget.closedByUser) {
          setHistory(session.id, null);
          void deleteSession(app.conn, session.id).catch((error: unknown) =>
            app.notify(`Could not end the console's session: ${describeError(error)}`, "error"),
          );
        }
      });
      const n = Number(name);
      if (Number.isFinite(n)) counter = Math.max(counter, n);
      return widget;
    };

    const create = async (
      kernel: { name?: string; id?: string },
      where: { folder?: string; ref?: Widget } = {},
    ): Promise<ConsoleWidget> => {
      counter += 1;
      const name = String(counter);
      const folder = where.folder ?? cwd(app);
      const session = await createSession(app.conn, {
        path: `${folder === "" ? "" : `${folder}/`}console-${name}-${crypto.randomUUID()}`,
        name: `Console ${name}`,
        type: "console",
        kernel,
      });
      const widget = await build(session, name);
      if (where.ref !== undefined) app.shell.addToMain(widget, { mode: "split-bottom", ref: where.ref });
      else app.shell.addToMain(widget);
      app.shell.activate(widget);
      return widget;
    };

    /** The kernel from the command's args, else from the picker; null when cancelled. */
    const chooseKernel = async (
      args: Readonly<Record<string, unknown>>,
      options: import("../console/picker").PickOptions = {},
    ): Promise<{ name?: string; id?: string } | null> => {
      if (typeof args["kernelName"] === "string") return { name: args["kernelName"] };
      if (typeof args["kernelId"] === "string") return { id: args["kernelId"] };
      const [all, sessions, kernels] = await Promise.all([specs(), listSessions(app.conn), listKernels(app.conn)]);
      const alive = new Set((kernels ?? []).map((k) => k.id));
      const running = sessions
        .filter((s) => s.type === "notebook" && s.kernelId !== null && alive.has(s.kernelId))
        .map((s) => ({ kernelId: s.kernelId ?? "", label: s.path }));
      const { pickKernel } = await import("../console/picker");
      const choice = await pickKernel(all.specs, all.default, running, options);
      if (choice === null) return null;
      return choice.kernelId !== undefined ? { id: choice.kernelId } : { name: choice.spec ?? "" };
    };

    commands.addCommand(C.newConsole, {
      label: (args) => (args["isPalette"] === true ? "New Console" : "Console"),
      caption: "Start a code console (a REPL) on a new kernel or a notebook's kernel",
      execute: async (args) => {
        try {
          const kernel = await chooseKernel(args);
          if (kernel !== null) await create(kernel);
        } catch (error: unknown) {
          app.notify(`Could not start a console: ${describeError(error)}`, "error");
        }
      },
    });

    // A text editor's console: Shift+Enter in the editor runs its selection (or line) there.
    // Without one yet, Shift+Enter in a .py/.R/.jl file offers to start one (the picker
    // preselects a kernel of the file's language and lists the open notebooks' kernels).
    const links = new Map<Widget, ConsoleWidget>();
    const currentEditor = (): (Widget & { readonly path: ReadonlySignal<string> }) | null => {
      const w = app.shell.current.value;
      if (w === null || w.isDisposed || !w.hasClass(EDITOR_CLASS) || !("path" in w)) return null;
      return w as Widget & { readonly path: ReadonlySignal<string> };
    };
    const linked = (editor: Widget): ConsoleWidget | null => {
      const widget = links.get(editor);
      return widget === undefined || widget.isDisposed ? null : widget;
    };
    /** Starts a console below `editor` on a kernel the user picks and links them; null when cancelled. */
    const linkConsole = async (
      editor: Widget & { readonly path: ReadonlySignal<string> },
      args: Readonly<Record<string, unknown>>,
      title: string,
    ): Promise<ConsoleWidget | null> => {
      const path = editor.path.peek();
      const language = app.fileTypes.forPath(path).language;
      const kernel = await chooseKernel(args, { title, ...(language === undefined ? {} : { language }) });
      if (kernel === null) return null;
      const widget = await create(kernel, { folder: dirname(path), ref: editor });
      links.set(editor, widget);
      editor.node.dataset["consoleLinked"] = widget.node.dataset["console"] ?? "";
      widget.disposed.connect(() => {
        if (links.get(editor) !== widget) return;
        links.delete(editor);
        delete editor.node.dataset["consoleLinked"];
      });
      editor.disposed.connect(() => links.delete(editor));
      app.shell.activate(editor);
      return widget;
    };
    commands.addCommand(C.consoleForEditor, {
      label: "Create Console for Editor",
      caption: "Open a console below this file; Shift+Enter in the file runs the selection or line there",
      isEnabled: () => currentEditor() !== null,
      execute: async (args) => {
        const editor = currentEditor();
        if (editor === null) return;
        try {
          await linkConsole(editor, args, "Select a kernel for the console");
        } catch (error: unknown) {
          app.notify(`Could not start a console: ${describeError(error)}`, "error");
        }
      },
    });
    commands.addCommand(C.runInConsole, {
      label: "Run Selection/Line in Console",
      caption: "Run the selected text, or the current line, of this file in its console (started when missing)",
      isEnabled: () => currentEditor() !== null,
      execute: async (args) => {
        const editor = currentEditor();
        if (editor === null) return;
        const { takeSelectionOrLine } = await import("../console/input-editor");
        try {
          let target = linked(editor);
          if (target === null) {
            const name = editor.path.peek().split("/").pop() ?? "";
            target = await linkConsole(editor, args, `Run ${name} in which kernel?`);
            if (target === null) return;
          }
          const code = takeSelectionOrLine(editor.node);
          if (code !== null && code.trim() !== "") target.execute(code);
        } catch (error: unknown) {
          app.notify(`Could not start a console: ${describeError(error)}`, "error");
        }
      },
    });
    app.keymap.addDefaults(
      [`[data-console-linked]`, ...RUNNABLE_LANGUAGES.map((l) => `[data-language="${l}"]`)].map((which) => ({
        command: C.runInConsole,
        keys: ["Shift Enter"],
        selector: `.${EDITOR_CLASS}${which} .cm-content`,
      })),
    );

    commands.addCommand(C.consoleClear, {
      label: "Clear Console Cells",
      caption: "Remove the executions shown in the console (the kernel keeps its state)",
      isEnabled: () => current() !== null,
      execute: () => current()?.clear(),
    });

    app.menus.items.add({ id: "file-new:console", menu: "file-new", command: C.newConsole, rank: 7 });
    app.palette.add({ id: "palette:console:new", command: C.newConsole, category: "Console", args: { isPalette: true } });
    app.palette.add({ id: "palette:console:clear", command: C.consoleClear, category: "Console" });
    app.palette.add({ id: "palette:console:for-editor", command: C.consoleForEditor, category: "Console" });
    app.palette.add({ id: "palette:console:run-code", command: C.runInConsole, category: "Console" });
    app.menus.items.add({ id: "run:editor-run-code", menu: "run", command: C.runInConsole, group: 3, rank: 0 });
    app.menus.items.add({ id: "run:editor-console", menu: "run", command: C.consoleForEditor, group: 3, rank: 1 });

    app.tabKinds.add({
      id: "console",
      save: (widget: Widget) => {
        const w = widgets.has(widget as ConsoleWidget) ? (widget as ConsoleWidget) : null;
        if (w === null) return null;
        return { name: w.node.dataset["console"] ?? "", data: { session: { ...w.session } } };
      },
      prepare: async () => {
        try {
          liveSessions = new Set((await listSessions(app.conn)).map((s) => s.id));
        } catch {
          liveSessions = new Set();
        }
      },
      // A console comes back when its session (and so its kernel) still runs.
      restore: async (name, data) => {
        const s = data["session"];
        if (!isRecord(s) || typeof s["id"] !== "string" || !liveSessions.has(s["id"])) return null;
        const session: SessionInfo = {
          id: s["id"],
          path: typeof s["path"] === "string" ? s["path"] : "",
          name: typeof s["name"] === "string" ? s["name"] : "",
          kernelId: typeof s["kernelId"] === "string" ? s["kernelId"] : "",
          kernelName: typeof s["kernelName"] === "string" ? s["kernelName"] : "",
        };
        if (session.kernelId === "") return null;
        return build(session, name);
      },
    });
  },
};
