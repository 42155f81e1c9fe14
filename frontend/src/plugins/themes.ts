/**
 * Plugin themes: sets of CSS variables over the built-in light or dark theme. The chosen one is
 * the setting `@carnet/plugins:themes` → `theme` ("" = the built-in choice of Appearance); it
 * applies by setting `data-theme` (the base) and `data-carnet-plugin-theme` on <html>, with the
 * variables in a constructed stylesheet (the CSP refuses <style> elements).
 */
import { type ReadonlySignal, effect } from "@preact/signals-core";
import type { CommandRegistry } from "@lumino/commands";
import type { PaletteItem } from "../commands/menus";
import { type Disposable, Registry } from "../model/registry";
import type { SettingsRegistry } from "../model/settings";
import type { Theme, ThemeRegistry } from "./api";

export const PLUGIN_THEME_SETTINGS = "@carnet/plugins:themes";
/** `{id}`: use that plugin theme; `{id: ""}`: back to the built-in themes. */
export const USE_THEME_COMMAND = "plugins:use-theme";

const VARIABLE = /^--[A-Za-z0-9_-]+$/;

export class Themes implements ThemeRegistry {
  private readonly registry = new Registry<Theme>("themes");
  private readonly sheet = new CSSStyleSheet();
  readonly current: ReadonlySignal<string>;

  constructor(
    private readonly settings: SettingsRegistry,
    commands: CommandRegistry,
    private readonly palette: Registry<PaletteItem>,
  ) {
    settings.register({
      id: PLUGIN_THEME_SETTINGS,
      title: "Plugin theme",
      rank: 11,
      fields: [{ key: "theme", title: "Theme from a plugin (empty: Appearance decides)", type: "string", default: "" }],
    });
    this.current = settings.watch<string>(PLUGIN_THEME_SETTINGS, "theme");
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.sheet];
    effect(() => this.apply());
    commands.addCommand(USE_THEME_COMMAND, {
      label: (args) => {
        const theme = this.registry.get(String(args["id"] ?? ""));
        return theme === undefined ? "Use Built-in Theme" : `Use Theme: ${theme.label}`;
      },
      isToggled: (args) => this.current.value === String(args["id"] ?? ""),
      execute: (args) => this.use(String(args["id"] ?? "")),
    });
    palette.add({ id: "plugins:use-theme:", command: USE_THEME_COMMAND, args: { id: "" }, category: "Settings" });
  }

  add(theme: Theme): Disposable {
    for (const name of Object.keys(theme.variables)) {
      if (!VARIABLE.test(name)) throw new Error(`theme ${theme.id}: "${name}" is not a CSS variable name`);
    }
    const added = this.registry.add(theme);
    const item = this.palette.add({
      id: `plugins:use-theme:${theme.id}`,
      command: USE_THEME_COMMAND,
      args: { id: theme.id },
      category: "Settings",
    });
    return {
      dispose: () => {
        item.dispose();
        added.dispose();
      },
    };
  }

  all(): Theme[] {
    return this.registry.all();
  }

  use(id: string): Promise<void> {
    return this.settings.set(PLUGIN_THEME_SETTINGS, "theme", id);
  }

  private apply(): void {
    const root = document.documentElement;
    const theme = this.registry.get(this.current.value);
    if (theme === undefined) {
      delete root.dataset["carnetPluginTheme"];
      this.sheet.replaceSync("");
      return;
    }
    const body = Object.entries(theme.variables)
      .map(([name, value]) => `${name}: ${value.replace(/[;{}]/g, "")};`)
      .join("\n");
    this.sheet.replaceSync(`html[data-carnet-plugin-theme]:root { ${body} color-scheme: ${theme.base}; }`);
    root.dataset["carnetPluginTheme"] = theme.id;
    // The base theme's variables fill in what the plugin theme leaves out.
    root.dataset["theme"] = theme.base;
  }
}
