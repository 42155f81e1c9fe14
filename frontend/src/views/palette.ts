/**
 * The command palette (Ctrl/Cmd+Shift+C): Lumino's CommandPalette in a modal overlay. It
 * lists the palette registry's items; typing filters, Enter runs, Escape or a click outside
 * closes it and focus returns to where it was.
 */
import type { CommandRegistry } from "@lumino/commands";
import { CommandPalette, Widget } from "@lumino/widgets";
import { effect } from "@preact/signals-core";
import type { PaletteItem } from "../commands/menus";
import type { Registry } from "../model/registry";

export class PaletteOverlay {
  readonly palette: CommandPalette;
  private readonly host: HTMLDivElement;
  private previous: HTMLElement | null = null;

  /** `ownCommand` is the command that opens the palette (its execution must not close it). */
  constructor(commands: CommandRegistry, items: Registry<PaletteItem>, ownCommand: string) {
    this.palette = new CommandPalette({ commands });
    this.palette.id = "carnet-command-palette";
    this.palette.addClass("carnet-Palette");
    this.palette.title.label = "Commands";
    this.palette.inputNode.setAttribute("aria-label", "Search commands");
    this.palette.inputNode.placeholder = "Search commands";
    this.host = document.createElement("div");
    this.host.className = "carnet-PaletteHost";
    this.host.hidden = true;
    this.host.addEventListener("mousedown", (e) => {
      if (e.target === this.host) this.close();
    });
    this.host.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        this.close();
      }
    });
    commands.commandExecuted.connect((_, args) => {
      if (this.isOpen && args.id !== ownCommand) this.close(false);
    });
    effect(() => {
      const all = items.all();
      this.palette.clearItems();
      for (const item of all) {
        this.palette.addItem({
          command: item.command,
          category: item.category,
          ...(item.args === undefined ? {} : { args: { ...item.args } as never }),
          ...(item.rank === undefined ? {} : { rank: item.rank }),
        });
      }
    });
  }

  get isOpen(): boolean {
    return !this.host.hidden;
  }

  open(): void {
    if (!this.host.isConnected) {
      document.body.append(this.host);
      Widget.attach(this.palette, this.host);
    }
    this.previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.host.hidden = false;
    this.palette.inputNode.value = "";
    this.palette.refresh();
    this.palette.activate();
    this.palette.inputNode.focus();
  }

  close(restoreFocus = true): void {
    this.host.hidden = true;
    if (restoreFocus) this.previous?.focus();
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.open();
  }
}
