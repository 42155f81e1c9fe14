/**
 * Applies the keymap to Lumino's command registry: the defaults plugins contributed, with the
 * user's overrides (from the shortcuts settings) on top. Re-applied whenever either changes,
 * so a shortcut edited in the shortcut editor works at once.
 */
import type { CommandRegistry } from "@lumino/commands";
import type { IDisposable } from "@lumino/disposable";
import { type ReadonlySignal, effect, signal } from "@preact/signals-core";
import {
  type KeyBinding,
  type ShortcutOverride,
  effectiveKeymap,
  parseOverrides,
} from "../model/keymap";
import type { Disposable } from "../model/registry";
import type { SettingsRegistry } from "../model/settings";

export const SHORTCUTS_SETTINGS = "@carnet/shortcuts-extension:shortcuts";

export class KeymapService {
  private readonly _defaults = signal<readonly KeyBinding[]>([]);
  private applied: IDisposable[] = [];
  readonly overrides: ReadonlySignal<ShortcutOverride[]>;
  readonly effective: ReadonlySignal<KeyBinding[]>;

  constructor(
    private readonly commands: CommandRegistry,
    private readonly settings: SettingsRegistry,
  ) {
    settings.register({
      id: SHORTCUTS_SETTINGS,
      title: "Keyboard Shortcuts",
      rank: 90,
      fields: [
        {
          key: "overrides",
          title: "Changed shortcuts",
          type: "json",
          default: [],
          hidden: true,
        },
      ],
    });
    const raw = settings.watch<unknown>(SHORTCUTS_SETTINGS, "overrides");
    const overrides = signal<ShortcutOverride[]>([]);
    effect(() => {
      overrides.value = parseOverrides(raw.value);
    });
    this.overrides = overrides;
    const effective = signal<KeyBinding[]>([]);
    effect(() => {
      effective.value = effectiveKeymap(this._defaults.value, overrides.value);
    });
    this.effective = effective;
    effect(() => this.apply(effective.value));
  }

  get defaults(): ReadonlySignal<readonly KeyBinding[]> {
    return this._defaults;
  }

  addDefaults(bindings: readonly KeyBinding[]): Disposable {
    this._defaults.value = [...this._defaults.value, ...bindings];
    return {
      dispose: () => {
        this._defaults.value = this._defaults.value.filter((b) => !bindings.includes(b));
      },
    };
  }

  /** Stores the user's overrides (the effect above re-applies them). */
  async setOverrides(overrides: readonly ShortcutOverride[]): Promise<void> {
    await this.settings.set(
      SHORTCUTS_SETTINGS,
      "overrides",
      overrides.length === 0 ? undefined : overrides,
    );
  }

  private apply(bindings: readonly KeyBinding[]): void {
    for (const d of this.applied) d.dispose();
    this.applied = [];
    for (const b of bindings) {
      try {
        this.applied.push(
          this.commands.addKeyBinding({
            command: b.command,
            keys: [...b.keys],
            selector: b.selector,
            ...(b.args === undefined ? {} : { args: { ...b.args } as never }),
          }),
        );
      } catch {
        // A malformed key or selector from an old override: skip it, keep the rest working.
      }
    }
  }
}
