/**
 * The application object handed to plugins: registries, the shell, the document manager.
 * It wires registries to views (menu bar, palette, side panels, status bar, context menu,
 * keyboard) and activates plugins in order.
 */
import { CommandRegistry } from "@lumino/commands";
import { ContextMenu } from "@lumino/widgets";
import { effect } from "@preact/signals-core";
import type { Connection } from "../api";
import { CommandIds } from "../commands/ids";
import { KeymapService } from "../commands/keymap-service";
import { CORE_MENUS, MenuRegistry, type PaletteItem } from "../commands/menus";
import { DEFAULT_FILE_TYPES, FileTypeRegistry } from "../model/filetypes";
import { Registry } from "../model/registry";
import type { SettingsRegistry } from "../model/settings";
import { StateDB } from "../model/state";
import type { AppMode, CarnetApp, CarnetPlugin, RunningProvider, SidePanel, StatusItem, TabKind } from "../plugins/api";
import { DocumentWidget } from "./document";
import { DocumentManager } from "./docmanager";
import { confirm } from "./dialogs";
import { bindMenuBar } from "./menubar";
import { describeError, notify } from "./notify";
import { PaletteOverlay } from "./palette";
import { Shell } from "./shell";
import { mountStatusBar } from "./statusbar";
import { ViewerRegistry } from "./viewers";

export class App implements CarnetApp {
  readonly commands = new CommandRegistry();
  readonly menus = new MenuRegistry();
  readonly palette = new Registry<PaletteItem>("palette");
  readonly panels = new Registry<SidePanel>("panels");
  readonly viewers = new ViewerRegistry();
  readonly fileTypes = new FileTypeRegistry();
  readonly statusItems = new Registry<StatusItem>("status items");
  readonly tabKinds = new Registry<TabKind>("tab kinds");
  readonly running = new Registry<RunningProvider>("running");
  readonly state = new StateDB();
  readonly shell = new Shell();
  readonly contextMenu: ContextMenu;
  readonly keymap: KeymapService;
  readonly docs: DocumentManager;
  readonly paletteOverlay: PaletteOverlay;

  constructor(
    readonly conn: Connection,
    readonly mode: AppMode,
    readonly settings: SettingsRegistry,
  ) {
    for (const menu of CORE_MENUS) this.menus.menus.add(menu);
    for (const type of DEFAULT_FILE_TYPES) this.fileTypes.add(type);
    this.keymap = new KeymapService(this.commands, settings);
    this.docs = new DocumentManager(this.shell, this.viewers, this.fileTypes);
    this.contextMenu = new ContextMenu({ commands: this.commands });
    this.contextMenu.menu.addClass("carnet-Menu");
    this.paletteOverlay = new PaletteOverlay(this.commands, this.palette, CommandIds.palette);
    this.commands.addCommand(CommandIds.palette, {
      label: "Activate Command Palette",
      execute: () => this.paletteOverlay.toggle(),
    });
    DocumentWidget.confirmClose = (w) =>
      confirm(
        "Close without saving?",
        `"${w.path.value}" has unsaved changes. Closing the tab discards them.`,
        "Discard changes",
        true,
      );
  }

  notify(message: string, kind: "info" | "error" = "info"): void {
    notify(message, kind);
  }

  /** Activates plugins in order; a failing plugin is reported and skipped, not fatal. */
  async activate(plugins: readonly CarnetPlugin[]): Promise<void> {
    for (const plugin of plugins) {
      try {
        await plugin.activate(this);
      } catch (error: unknown) {
        console.warn(`carnet: plugin ${plugin.id} failed to activate`, error);
        notify(`Plugin ${plugin.id} failed: ${describeError(error)}`, "error");
      }
    }
  }

  /**
   * Terminals (`data-carnet-ctrl-keys`) own plain Ctrl+key presses (readline's Ctrl+B, tmux's
   * prefix, Ctrl+S): the app's shortcuts apply there only with Shift, Alt or Cmd, or when bound
   * to the owner itself (a terminal's own Ctrl+F).
   */
  private leftToOwner(event: KeyboardEvent): boolean {
    if (!event.ctrlKey || event.shiftKey || event.altKey || event.metaKey) return false;
    const owner = event.target instanceof Element ? event.target.closest("[data-carnet-ctrl-keys]") : null;
    if (owner === null) return false;
    const keystroke = CommandRegistry.keystrokeForKeydownEvent(event);
    return !this.commands.keyBindings.some(
      (b) =>
        b.selector !== "body" &&
        b.keys[0] !== undefined &&
        CommandRegistry.normalizeKeystroke(b.keys[0]) === keystroke &&
        owner.matches(b.selector),
    );
  }

  /** Puts the shell on the page and connects registries to it. */
  attach(host: HTMLElement): void {
    bindMenuBar(this.shell.menuBar, this.menus, this.commands);
    mountStatusBar(this.shell.statusBar.node, this.statusItems);
    const added = new Set<string>();
    effect(() => {
      for (const panel of this.panels.all()) {
        if (added.has(panel.id)) continue;
        added.add(panel.id);
        this.shell.addToLeft(panel.create(), panel.rank ?? 100);
      }
    });
    document.addEventListener(
      "keydown",
      (event) => {
        if (event.defaultPrevented) return;
        if (document.body.classList.contains("carnet-mod-modal")) return;
        // Key recorders (the shortcut editor) must see every key, bound or not.
        if (event.target instanceof Element && event.target.closest("[data-carnet-raw-keys]")) return;
        if (this.leftToOwner(event)) return;
        this.commands.processKeydownEvent(event);
      },
      true,
    );
    document.addEventListener("contextmenu", (event) => {
      if (event.shiftKey) return; // Shift+right-click: the browser's own menu
      if (this.contextMenu.open(event)) {
        event.preventDefault();
        event.stopPropagation();
      }
    });
    if (this.mode === "single") this.shell.root.addClass("carnet-mod-single");
    if (this.mode === "tree") this.shell.root.addClass("carnet-mod-tree");
    this.shell.attach(host);
  }
}
