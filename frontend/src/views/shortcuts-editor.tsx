/**
 * The keyboard-shortcut editor: every command that has a label, its shortcuts, and where
 * they apply. "Change" records the next key combination (a chord of up to two keystrokes,
 * Enter to keep it, Escape to cancel); overrides are stored in settings and apply at once.
 */
import { CommandRegistry } from "@lumino/commands";
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import "@preact/signals";
import { render } from "preact";
import { useRef, useState } from "preact/hooks";
import type { KeymapService } from "../commands/keymap-service";
import { type KeyBinding, withOverride } from "../model/keymap";
import { describeError, notify } from "./notify";

const MODIFIERS = new Set(["Shift", "Control", "Alt", "Meta", "AltGraph", "CapsLock"]);

function scopeLabel(selector: string): string {
  if (selector === "body") return "Everywhere";
  if (selector.includes("FileList")) return "File browser";
  if (selector.includes("Editor")) return "Text editor";
  return selector;
}

/** Whether two key sequences are the same once "Accel" and modifier order are normalised. */
function sameKeys(a: readonly string[], b: readonly string[], selector: string): boolean {
  const norm = (keys: readonly string[]): string =>
    CommandRegistry.normalizeKeys({ command: "", keys: [...keys], selector }).join(",");
  return norm(a) === norm(b);
}

export class ShortcutsEditor extends Widget {
  constructor(
    private readonly commands: CommandRegistry,
    private readonly keymap: KeymapService,
    private readonly commandIds: () => readonly string[],
  ) {
    super();
    this.id = "carnet-shortcuts-editor";
    this.addClass("carnet-ShortcutsEditor");
    this.title.label = "Keyboard Shortcuts";
    this.title.closable = true;
    this.node.tabIndex = -1;
    render(<this.View />, this.node);
  }

  private readonly View = (): preact.JSX.Element => {
    const effective = this.keymap.effective.value;
    const defaults = this.keymap.defaults.value;
    const overrides = this.keymap.overrides.value;
    const [filter, setFilter] = useState("");
    const rows = new Map<string, { command: string; selector: string; keys: readonly string[] | null }>();
    for (const b of [...defaults, ...effective]) {
      rows.set(`${b.command}|${b.selector}`, { command: b.command, selector: b.selector, keys: null });
    }
    for (const id of this.commandIds()) {
      if (![...rows.values()].some((r) => r.command === id)) rows.set(`${id}|body`, { command: id, selector: "body", keys: null });
    }
    const bindingFor = (command: string, selector: string): KeyBinding | undefined =>
      effective.find((b) => b.command === command && b.selector === selector);
    const list = [...rows.values()]
      .map((r) => ({ ...r, label: this.labelOf(r.command) }))
      .filter((r) => r.label !== "" && this.commands.hasCommand(r.command))
      .filter((r) => filter === "" || `${r.label} ${r.command}`.toLowerCase().includes(filter.toLowerCase()))
      .sort((a, b) => a.label.localeCompare(b.label));
    const save = (command: string, selector: string, keys: readonly string[] | null): void => {
      this.keymap
        .setOverrides(withOverride(overrides, command, selector, keys))
        .catch((e: unknown) => notify(`Could not save the shortcut: ${describeError(e)}`, "error"));
    };
    return (
      <div class="carnet-Form">
        <h1 class="carnet-Form-title">Keyboard Shortcuts</h1>
        <label class="carnet-Field">
          <span>Filter</span>
          <input class="carnet-Input" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </label>
        <table class="carnet-Shortcuts">
          <thead>
            <tr>
              <th scope="col">Command</th>
              <th scope="col">Shortcut</th>
              <th scope="col">Where</th>
              <th scope="col">
                <span class="carnet-visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((row) => {
              const binding = bindingFor(row.command, row.selector);
              const changed = overrides.some((o) => o.command === row.command && o.selector === row.selector);
              return (
                <ShortcutRow
                  key={`${row.command}|${row.selector}`}
                  command={row.command}
                  label={row.label}
                  selector={row.selector}
                  keys={binding?.keys ?? []}
                  changed={changed}
                  conflict={(keys) =>
                    effective.find(
                      (b) =>
                        b.selector === row.selector &&
                        b.command !== row.command &&
                        sameKeys(b.keys, keys, b.selector),
                    )
                  }
                  labelOf={(id) => this.labelOf(id)}
                  onSave={(keys) => save(row.command, row.selector, keys)}
                />
              );
            })}
          </tbody>
        </table>
      </div>
    );
  };

  /** The command's label as the palette shows it (menus may use a shorter one). */
  private labelOf(id: string): string {
    if (!this.commands.hasCommand(id)) return id;
    return this.commands.label(id, { isPalette: true }) || id;
  }

  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.node.querySelector<HTMLElement>("input")?.focus();
  }

  override dispose(): void {
    render(null, this.node);
    super.dispose();
  }
}

function ShortcutRow(props: {
  command: string;
  label: string;
  selector: string;
  keys: readonly string[];
  changed: boolean;
  conflict: (keys: readonly string[]) => KeyBinding | undefined;
  labelOf: (id: string) => string;
  onSave: (keys: readonly string[] | null) => void;
}): preact.JSX.Element {
  const [recording, setRecording] = useState<string[] | null>(null);
  const box = useRef<HTMLInputElement>(null);
  const shown = props.keys.length === 0 ? "—" : props.keys.map((k) => CommandRegistry.formatKeystroke(k)).join(", ");
  const clash = recording !== null && recording.length > 0 ? props.conflict(recording) : undefined;
  const onKeyDown = (e: KeyboardEvent): void => {
    e.preventDefault();
    e.stopPropagation();
    if (recording === null) return;
    if (e.key === "Escape") {
      setRecording(null);
      return;
    }
    if (e.key === "Enter" && recording.length > 0) {
      props.onSave(recording);
      setRecording(null);
      return;
    }
    if (MODIFIERS.has(e.key)) return;
    const stroke = CommandRegistry.keystrokeForKeydownEvent(e);
    if (stroke === "") return;
    setRecording(recording.length >= 2 ? [stroke] : [...recording, stroke]);
  };
  return (
    <tr data-command={props.command} class={props.changed ? "carnet-mod-changed" : ""}>
      <th scope="row">{props.label}</th>
      <td>
        {recording === null ? (
          <kbd class="carnet-Keys">{shown}</kbd>
        ) : (
          <>
            <input
              ref={box}
              class="carnet-Input carnet-Shortcut-recorder"
              data-carnet-raw-keys=""
              aria-label={`New shortcut for ${props.label}: press keys, then Enter`}
              readOnly
              value={recording.length === 0 ? "Press keys…" : recording.map((k) => CommandRegistry.formatKeystroke(k)).join(", ")}
              onKeyDown={onKeyDown}
              onBlur={() => setRecording(null)}
            />
            {clash !== undefined && (
              <span class="carnet-Shortcut-conflict" role="alert">
                Already used by “{props.labelOf(clash.command)}”
              </span>
            )}
          </>
        )}
      </td>
      <td>{scopeLabel(props.selector)}</td>
      <td class="carnet-Shortcut-actions">
        {recording === null ? (
          <button
            type="button"
            class="carnet-Button carnet-mod-small"
            onClick={() => {
              setRecording([]);
              setTimeout(() => box.current?.focus(), 0);
            }}
          >
            Change
          </button>
        ) : (
          <button
            type="button"
            class="carnet-Button carnet-mod-small carnet-mod-accept"
            disabled={recording.length === 0}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => {
              if (recording.length > 0) props.onSave(recording);
              setRecording(null);
            }}
          >
            Save
          </button>
        )}
        {props.keys.length > 0 && recording === null && (
          <button type="button" class="carnet-Button carnet-mod-small" onClick={() => props.onSave([])}>
            Disable
          </button>
        )}
        {props.changed && recording === null && (
          <button type="button" class="carnet-Button carnet-mod-small" onClick={() => props.onSave(null)}>
            Reset
          </button>
        )}
      </td>
    </tr>
  );
}
