/**
 * The file browser plugin: the side panel, its settings, and every file command (new, open,
 * rename, delete, cut/copy/paste, duplicate, download, upload…) with menu, context-menu and
 * palette entries.
 */
import { Menu } from "@lumino/widgets";
import { computed, effect } from "@preact/signals-core";
import { type ContentsEntry, type KernelSpec, listKernelSpecs } from "../api";
import { CommandIds as C } from "../commands/ids";
import { type SortKey, type SortOrder, nameProblem } from "../model/listing";
import type { CarnetApp, CarnetPlugin } from "../plugins/api";
import { basename, dirname } from "../util/paths";
import { confirm, prompt, showDialog } from "../views/dialogs";
import { FileBrowserController } from "../views/filebrowser/controller";
import { FileBrowserWidget } from "../views/filebrowser/widget";
import { describeError } from "../views/notify";

/** The file browser's folder in the workspace state (JupyterLab's key). */
export const CWD_KEY = "filebrowser:cwd";

export const BROWSER_SETTINGS = "@carnet/filebrowser-extension:browser";

export const fileBrowserPlugin: CarnetPlugin = {
  id: "@carnet/filebrowser-extension:plugin",
  activate(app: CarnetApp) {
    const { commands, settings } = app;
    settings.register({
      id: BROWSER_SETTINGS,
      title: "File Browser",
      rank: 30,
      fields: [
        {
          key: "showHiddenFiles",
          title: "Show hidden files",
          description: "Dotfiles are listed only when the server allows them (allow_hidden).",
          type: "boolean",
          default: false,
        },
        {
          key: "sortBy",
          title: "Sort by",
          type: "enum",
          default: "name",
          options: [
            { value: "name", label: "Name" },
            { value: "modified", label: "Last modified" },
            { value: "size", label: "Size" },
          ],
        },
        { key: "sortAscending", title: "Ascending order", type: "boolean", default: true },
        {
          key: "refreshInterval",
          title: "Refresh interval (seconds)",
          description: "How often the visible folder is checked for changes on disk; 0 turns it off.",
          type: "number",
          default: 3,
          min: 0,
          max: 3600,
        },
      ],
    });
    const showHidden = settings.watch<boolean>(BROWSER_SETTINGS, "showHiddenFiles");
    const sortBy = settings.watch<SortKey>(BROWSER_SETTINGS, "sortBy");
    const ascending = settings.watch<boolean>(BROWSER_SETTINGS, "sortAscending");
    const sort = computed<SortOrder>(() => ({ key: sortBy.value, ascending: ascending.value }));
    const interval = settings.watch<number>(BROWSER_SETTINGS, "refreshInterval");
    const save = (key: string, value: unknown): void => {
      settings.set(BROWSER_SETTINGS, key, value).catch((e: unknown) => app.notify(describeError(e), "error"));
    };
    const setSort = (key: SortKey): void => {
      if (sortBy.value === key) save("sortAscending", !ascending.value);
      else {
        save("sortBy", key);
        save("sortAscending", true);
      }
    };

    const ctl = new FileBrowserController(app.conn, sort, showHidden, {
      renamed: (from, to) => app.docs.renamed(from, to),
      error: (message) => app.notify(message, "error"),
      confirmOverwrite: (clashes) =>
        confirm(
          clashes.length === 1 ? `Replace "${clashes[0] ?? ""}"?` : `Replace ${clashes.length} files?`,
          `A file with ${clashes.length === 1 ? "this name" : "these names"} already exists here: ${clashes.join(", ")}. Uploading replaces it.`,
          "Replace",
          true,
        ),
    });
    const open = (entry: ContentsEntry): void => {
      if (entry.type === "directory") {
        void ctl.cd(entry.path);
        return;
      }
      void openPath(app, entry.path);
    };
    const widget = new FileBrowserWidget(
      ctl,
      {
        run: (id, args) => void commands.execute(id, args as never),
        open,
        badge: (entry) =>
          entry.type === "notebook" ? "NB" : (app.fileTypes.forPath(entry.path).badge ?? "TXT"),
        setSort,
        commandIds: {
          newFile: C.newFile,
          newFolder: C.newFolder,
          newNotebook: C.newNotebook,
          upload: C.upload,
          refresh: C.refresh,
          toggleHidden: C.toggleHidden,
        },
      },
      interval,
    );
    app.panels.add({ id: "filebrowser", rank: 10, create: () => widget });
    effect(() => app.state.set(CWD_KEY, { path: ctl.path.value }));

    const selected = (): ContentsEntry[] => ctl.selected;
    const hasSelection = (): boolean => ctl.selected.length > 0;
    const createAndOpen = async (ext: string): Promise<void> => {
      const model = await ctl.createFile(ext);
      if (model !== null) await openPath(app, model.path);
    };

    commands.addCommand(C.showFileBrowser, {
      label: "File Browser",
      caption: "Show the file browser",
      execute: () => {
        app.shell.activateLeft("filebrowser");
        widget.focusList();
      },
    });
    commands.addCommand(C.newFile, {
      label: (args) => (args["isPalette"] === true ? "New Text File" : "Text File"),
      caption: "Create a new text file",
      execute: () => createAndOpen(".txt"),
    });
    commands.addCommand(C.newMarkdown, {
      label: (args) => (args["isPalette"] === true ? "New Markdown File" : "Markdown File"),
      execute: () => createAndOpen(".md"),
    });
    commands.addCommand(C.newPython, {
      label: (args) => (args["isPalette"] === true ? "New Python File" : "Python File"),
      execute: () => createAndOpen(".py"),
    });
    commands.addCommand(C.newFolder, {
      label: (args) => (args["isPalette"] === true ? "New Folder" : "Folder"),
      execute: async () => {
        const model = await ctl.createFolder();
        if (model === null) return;
        await renameInteractive(ctl, model.path, "Name the new folder");
      },
    });
    commands.addCommand(C.newNotebook, {
      label: (args) => (args["isPalette"] === true ? "New Notebook" : "Notebook"),
      caption: "Create a new notebook (choosing its kernel)",
      execute: async () => {
        const kernel = await chooseKernel(app);
        if (kernel === undefined) return;
        const model = await ctl.createNotebook(kernel);
        if (model !== null) await openPath(app, model.path);
      },
    });
    commands.addCommand(C.open, {
      label: "Open",
      isEnabled: hasSelection,
      execute: () => {
        for (const entry of selected()) open(entry);
      },
    });
    commands.addCommand(C.rename, {
      label: "Rename…",
      isEnabled: () => ctl.selected.length === 1,
      execute: async () => {
        const [entry] = selected();
        if (entry !== undefined) await renameInteractive(ctl, entry.path, `Rename ${entry.name}`);
      },
    });
    commands.addCommand(C.del, {
      label: "Delete…",
      isEnabled: hasSelection,
      execute: async () => {
        const entries = selected();
        if (entries.length === 0) return;
        const what = entries.length === 1 ? `"${entries[0]?.name ?? ""}"` : `${entries.length} items`;
        const ok = await confirm(
          `Delete ${what}?`,
          "They are moved to the trash when the server keeps one; otherwise they are deleted.",
          "Delete",
          true,
        );
        if (ok) await ctl.remove(entries.map((e) => e.path));
        widget.focusList();
      },
    });
    commands.addCommand(C.cut, {
      label: "Cut",
      isEnabled: hasSelection,
      execute: () => ctl.cut(selected().map((e) => e.path)),
    });
    commands.addCommand(C.copy, {
      label: "Copy",
      isEnabled: hasSelection,
      execute: () => ctl.copy(selected().map((e) => e.path)),
    });
    commands.addCommand(C.paste, {
      label: "Paste",
      isEnabled: () => ctl.clipboard.value !== null,
      execute: () => ctl.paste(),
    });
    commands.addCommand(C.duplicate, {
      label: "Duplicate",
      isEnabled: () => selected().some((e) => e.type !== "directory"),
      execute: () => ctl.duplicate(selected().filter((e) => e.type !== "directory").map((e) => e.path)),
    });
    commands.addCommand(C.download, {
      label: "Download",
      isEnabled: () => selected().some((e) => e.type !== "directory"),
      execute: () => ctl.download(selected().filter((e) => e.type !== "directory").map((e) => e.path)),
    });
    commands.addCommand(C.upload, {
      label: "Upload Files…",
      execute: () => widget.pickFiles(),
    });
    commands.addCommand(C.refresh, {
      label: "Refresh File List",
      execute: () => ctl.refresh(),
    });
    commands.addCommand(C.toggleHidden, {
      label: "Show Hidden Files",
      isToggled: () => showHidden.value,
      execute: () => save("showHiddenFiles", !showHidden.value),
    });
    commands.addCommand(C.copyPath, {
      label: "Copy Path",
      isEnabled: () => ctl.selected.length === 1,
      execute: async () => {
        const [entry] = selected();
        if (entry !== undefined) await navigator.clipboard?.writeText(entry.path);
      },
    });
    commands.addCommand(C.goUp, {
      label: "Go to Parent Folder",
      isEnabled: () => ctl.path.value !== "",
      execute: () => ctl.cd(dirname(ctl.path.value)),
    });
    commands.addCommand(C.selectAll, {
      label: "Select All Files",
      execute: () => {
        const paths = ctl.order.value.map((e) => e.path);
        ctl.selection.value = { paths: new Set(paths), focus: paths[0] ?? null, anchor: paths[0] ?? null };
      },
    });
    const sortCommand = (id: string, key: SortKey, label: string): void => {
      commands.addCommand(id, {
        label,
        isToggled: () => sortBy.value === key,
        execute: () => setSort(key),
      });
    };
    sortCommand(C.sortByName, "name", "Sort by Name");
    sortCommand(C.sortByModified, "modified", "Sort by Last Modified");
    sortCommand(C.sortBySize, "size", "Sort by Size");
    commands.addCommand(C.goToPath, {
      label: "Go to Folder",
      execute: async (args) => {
        await ctl.cd(String(args["path"] ?? ""));
        if (args["focus"] === true) widget.focusList();
      },
    });
    commands.addCommand(C.openPath, {
      label: "Open from Path…",
      execute: async () => {
        const path = await prompt({
          title: "Open from path",
          label: "Path (relative to the server's root folder)",
          value: ctl.path.value === "" ? "" : `${ctl.path.value}/`,
          okLabel: "Open",
          validate: (v) => (v.trim() === "" ? "Enter a path." : null),
        });
        if (path !== null) await openPath(app, path.trim());
      },
    });
    commands.addCommand(C.openWith, {
      label: (args) => {
        const viewer = app.viewers.get(String(args["viewer"] ?? ""));
        return viewer?.label ?? "Open With";
      },
      execute: async (args) => {
        const path = String(args["path"] ?? "");
        const viewer = String(args["viewer"] ?? "");
        if (path !== "") await openPath(app, path, viewer);
      },
    });

    // Menus.
    const items = app.menus.items;
    app.menus.menus.add({ id: "file-new", label: "New", submenuOnly: true });
    items.add({ id: "file:new", menu: "file", submenu: "file-new", group: 0, rank: 0 });
    items.add({ id: "file-new:notebook", menu: "file-new", command: C.newNotebook, rank: 1 });
    items.add({ id: "file-new:text", menu: "file-new", command: C.newFile, rank: 2 });
    items.add({ id: "file-new:md", menu: "file-new", command: C.newMarkdown, rank: 3 });
    items.add({ id: "file-new:py", menu: "file-new", command: C.newPython, rank: 4 });
    items.add({ id: "file-new:folder", menu: "file-new", command: C.newFolder, rank: 5 });
    items.add({ id: "file:open-path", menu: "file", command: C.openPath, group: 1, rank: 0 });
    items.add({ id: "file:upload", menu: "file", command: C.upload, group: 1, rank: 1 });
    items.add({ id: "view:filebrowser", menu: "view", command: C.showFileBrowser, group: 1, rank: 0 });
    items.add({ id: "view:hidden", menu: "view", command: C.toggleHidden, group: 3, rank: 0 });

    // Palette.
    const category = "File Operations";
    for (const command of [
      C.newNotebook, C.newFile, C.newMarkdown, C.newPython, C.newFolder, C.openPath, C.upload,
      C.refresh, C.toggleHidden, C.showFileBrowser, C.sortByName, C.sortByModified, C.sortBySize,
    ]) {
      app.palette.add({ id: `palette:${command}`, command, category, args: { isPalette: true } });
    }

    // Context menu.
    const openWith = new Menu({ commands });
    openWith.title.label = "Open With";
    openWith.addClass("carnet-Menu");
    widget.node.addEventListener(
      "contextmenu",
      (event) => {
        const item = (event.target as HTMLElement).closest<HTMLElement>(".carnet-FileItem");
        openWith.clearItems();
        const path = item?.dataset["path"];
        if (path === undefined || item?.dataset["type"] === "directory") return;
        const fileType = app.fileTypes.forPath(path);
        for (const viewer of app.viewers.candidates(fileType, path)) {
          openWith.addItem({ command: C.openWith, args: { path, viewer: viewer.id } });
        }
      },
      true,
    );
    const ctx = app.contextMenu;
    const FILE = ".carnet-FileItem";
    const LIST = ".carnet-FileList";
    ctx.addItem({ command: C.open, selector: FILE, rank: 1 });
    ctx.addItem({ type: "submenu", submenu: openWith, selector: `${FILE}.carnet-mod-file`, rank: 2 });
    ctx.addItem({ type: "separator", selector: FILE, rank: 3 });
    ctx.addItem({ command: C.rename, selector: FILE, rank: 4 });
    ctx.addItem({ command: C.del, selector: FILE, rank: 5 });
    ctx.addItem({ command: C.cut, selector: FILE, rank: 6 });
    ctx.addItem({ command: C.copy, selector: FILE, rank: 7 });
    ctx.addItem({ command: C.duplicate, selector: FILE, rank: 8 });
    ctx.addItem({ type: "separator", selector: FILE, rank: 9 });
    ctx.addItem({ command: C.download, selector: FILE, rank: 10 });
    ctx.addItem({ command: C.copyPath, selector: FILE, rank: 11 });
    ctx.addItem({ type: "separator", selector: LIST, rank: 20 });
    ctx.addItem({ command: C.paste, selector: LIST, rank: 21 });
    ctx.addItem({ type: "submenu", submenu: newMenu(app), selector: LIST, rank: 22 });
    ctx.addItem({ command: C.upload, selector: LIST, rank: 23 });
    ctx.addItem({ command: C.refresh, selector: LIST, rank: 24 });
  },
};

function newMenu(app: CarnetApp): Menu {
  const menu = new Menu({ commands: app.commands });
  menu.title.label = "New";
  menu.addClass("carnet-Menu");
  for (const command of [C.newNotebook, C.newFile, C.newMarkdown, C.newPython, C.newFolder]) {
    menu.addItem({ command });
  }
  return menu;
}

/** Opens `path` with `viewer` (or its default), telling the user when nothing can. */
export async function openPath(app: CarnetApp, path: string, viewer?: string): Promise<void> {
  try {
    const widget = await app.docs.open(path, viewer === undefined ? {} : { viewer });
    if (widget === null) app.notify(`No viewer can open ${basename(path)}.`, "error");
  } catch (error: unknown) {
    app.notify(`Could not open ${path}: ${describeError(error)}`, "error");
  }
}

async function renameInteractive(
  ctl: FileBrowserController,
  path: string,
  title: string,
): Promise<void> {
  const name = await prompt({
    title,
    label: "New name",
    value: basename(path),
    okLabel: "Rename",
    selectStem: true,
    id: "rename",
    validate: nameProblem,
  });
  if (name !== null) await ctl.rename(path, name);
}

/** The kernel for a new notebook: asks when several exist; null = none; undefined = cancelled. */
async function chooseKernel(app: CarnetApp): Promise<KernelSpec | null | undefined> {
  let specs: readonly KernelSpec[] = [];
  let preferred: string | null = null;
  try {
    const listed = await listKernelSpecs(app.conn);
    specs = listed.specs;
    preferred = listed.default;
  } catch (error: unknown) {
    app.notify(`Could not list kernels: ${describeError(error)}`, "error");
  }
  if (specs.length <= 1) return specs[0] ?? null;
  const ordered = [...specs].sort((a, b) => Number(b.name === preferred) - Number(a.name === preferred));
  const choice = await showDialog<KernelSpec | "none">({
    title: "Select Kernel",
    id: "kernel",
    body: "Which kernel should the new notebook use?",
    buttons: [
      { label: "No Kernel", value: "none" },
      ...ordered.map((spec, i) => ({ label: spec.displayName, value: spec, accept: i === 0 })),
    ],
  });
  if (choice === null) return undefined;
  return choice === "none" ? null : choice;
}
