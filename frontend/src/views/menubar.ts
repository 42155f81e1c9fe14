/** Builds the menu bar from the menu registry, and rebuilds it when plugins change menus. */
import type { CommandRegistry } from "@lumino/commands";
import { Menu, type MenuBar } from "@lumino/widgets";
import { effect } from "@preact/signals-core";
import type { MenuRegistry } from "../commands/menus";

export function bindMenuBar(menuBar: MenuBar, registry: MenuRegistry, commands: CommandRegistry): void {
  let scheduled = false;
  const rebuild = (): void => {
    scheduled = false;
    const open = menuBar.activeIndex;
    menuBar.clearMenus();
    for (const spec of registry.menus.all()) {
      if ("submenuOnly" in spec) continue;
      menuBar.addMenu(buildMenu(spec.id, registry, commands, 0));
    }
    if (open >= 0 && open < menuBar.menus.length) menuBar.activeIndex = open;
  };
  effect(() => {
    void registry.menus.version.value;
    void registry.items.version.value;
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(rebuild);
    }
  });
}

export function buildMenu(
  id: string,
  registry: MenuRegistry,
  commands: CommandRegistry,
  depth: number,
): Menu {
  const spec = registry.menus.get(id);
  const menu = new Menu({ commands });
  menu.id = `carnet-menu-${id}`;
  menu.addClass("carnet-Menu");
  menu.title.label = spec?.label ?? id;
  if (spec?.mnemonic !== undefined) menu.title.mnemonic = spec.mnemonic;
  let group: number | null = null;
  for (const item of registry.itemsOf(id)) {
    const g = item.group ?? 0;
    if (group !== null && g !== group && menu.items.length > 0) menu.addItem({ type: "separator" });
    group = g;
    if (item.submenu !== undefined && depth < 4) {
      menu.addItem({ type: "submenu", submenu: buildMenu(item.submenu, registry, commands, depth + 1) });
    } else if (item.command !== undefined) {
      menu.addItem({ command: item.command, ...(item.args ? { args: { ...item.args } as never } : {}) });
    }
  }
  return menu;
}
