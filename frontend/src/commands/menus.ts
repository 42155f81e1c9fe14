/**
 * Menus as data: the main menu bar's menus and their items live in registries, so a plugin
 * adds "Kernel > Restart" the same way core adds "File > Save". Items name commands (with
 * args); the command supplies label, enabled state and shortcut. Items with the same `group`
 * sit together; groups are separated by a line.
 */
import { Registry } from "../model/registry";

export interface MenuSpec {
  /** "file", "edit", "view", "run", "kernel", "tabs", "settings", "help", or a plugin's own. */
  readonly id: string;
  readonly label: string;
  /** Alt+letter opens it: the index of the mnemonic in `label`. */
  readonly mnemonic?: number;
  readonly rank?: number;
}

export interface MenuItemSpec {
  readonly id: string;
  readonly menu: string;
  readonly command?: string;
  readonly args?: Readonly<Record<string, unknown>>;
  /** A submenu: the id of another MenuSpec (not shown in the bar when `submenuOnly`). */
  readonly submenu?: string;
  readonly group?: number;
  readonly rank?: number;
}

export interface SubmenuSpec extends MenuSpec {
  /** Only reachable as a submenu, not in the menu bar. */
  readonly submenuOnly: true;
}

export class MenuRegistry {
  readonly menus = new Registry<MenuSpec | SubmenuSpec>("menus");
  readonly items = new Registry<MenuItemSpec>("menu items");

  /** The items of `menu`, by group then rank. */
  itemsOf(menu: string): MenuItemSpec[] {
    return this.items
      .all()
      .filter((i) => i.menu === menu)
      .sort((a, b) => (a.group ?? 0) - (b.group ?? 0) || (a.rank ?? 100) - (b.rank ?? 100));
  }
}

export const CORE_MENUS: readonly MenuSpec[] = [
  { id: "file", label: "File", mnemonic: 0, rank: 1 },
  { id: "edit", label: "Edit", mnemonic: 0, rank: 2 },
  { id: "view", label: "View", mnemonic: 0, rank: 3 },
  { id: "run", label: "Run", mnemonic: 0, rank: 4 },
  { id: "kernel", label: "Kernel", mnemonic: 0, rank: 5 },
  { id: "tabs", label: "Tabs", mnemonic: 0, rank: 6 },
  { id: "settings", label: "Settings", mnemonic: 0, rank: 7 },
  { id: "help", label: "Help", mnemonic: 0, rank: 8 },
];

/** Palette entries: a command under a category (the palette's section). */
export interface PaletteItem {
  readonly id: string;
  readonly command: string;
  readonly category: string;
  readonly args?: Readonly<Record<string, unknown>>;
  readonly rank?: number;
}
