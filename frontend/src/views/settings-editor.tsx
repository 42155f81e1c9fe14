/**
 * The settings editor: one form section per settings schema in the registry, built from the
 * fields' types (checkbox, number, choice, text). Changes are saved to the server at once;
 * "Reset" returns a field to its default.
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import "@preact/signals";
import { render } from "preact";
import type { SettingField, SettingsRegistry } from "../model/settings";
import { describeError, notify } from "./notify";

export class SettingsEditor extends Widget {
  constructor(private readonly settings: SettingsRegistry) {
    super();
    this.id = "carnet-settings-editor";
    this.addClass("carnet-SettingsEditor");
    this.title.label = "Settings";
    this.title.closable = true;
    this.node.tabIndex = -1;
    render(<this.View />, this.node);
  }

  private readonly View = (): preact.JSX.Element => {
    const schemas = this.settings.schemas.all().filter((s) => s.fields.some((f) => f.hidden !== true));
    const error = this.settings.lastError.value;
    return (
      <div class="carnet-Form">
        <h1 class="carnet-Form-title">Settings</h1>
        {error !== null && (
          <p class="carnet-Dialog-error" role="alert">
            Could not save: {error}
          </p>
        )}
        {schemas.map((schema) => (
          <fieldset key={schema.id} class="carnet-Form-section" data-settings={schema.id}>
            <legend>{schema.title}</legend>
            {schema.fields
              .filter((f) => f.hidden !== true)
              .map((field) => (
                <FieldRow key={field.key} id={schema.id} field={field} settings={this.settings} />
              ))}
          </fieldset>
        ))}
      </div>
    );
  };

  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.node.querySelector<HTMLElement>("input, select")?.focus();
  }

  override dispose(): void {
    render(null, this.node);
    super.dispose();
  }
}

function FieldRow(props: { id: string; field: SettingField; settings: SettingsRegistry }): preact.JSX.Element {
  const { id, field, settings } = props;
  const value = settings.watch(id, field.key).value;
  const set = (v: unknown): void => {
    settings.set(id, field.key, v).catch((e: unknown) => notify(describeError(e), "error"));
  };
  const inputId = `setting-${id.replace(/[^\w-]/g, "_")}-${field.key}`;
  let control: preact.JSX.Element;
  switch (field.type) {
    case "boolean":
      control = (
        <input id={inputId} type="checkbox" checked={value === true} onChange={(e) => set(e.currentTarget.checked)} />
      );
      break;
    case "enum":
      control = (
        <select id={inputId} class="carnet-Input" value={String(value)} onChange={(e) => set(e.currentTarget.value)}>
          {(field.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case "number":
      control = (
        <input
          id={inputId}
          class="carnet-Input carnet-mod-number"
          type="number"
          min={field.min}
          max={field.max}
          value={String(value)}
          onChange={(e) => {
            const n = Number(e.currentTarget.value);
            if (Number.isFinite(n)) set(n);
          }}
        />
      );
      break;
    case "json":
      control = (
        <input
          id={inputId}
          class="carnet-Input carnet-mod-json"
          value={JSON.stringify(value ?? null)}
          onChange={(e) => {
            const text = e.currentTarget.value.trim();
            let parsed: unknown;
            try {
              parsed = JSON.parse(text === "" ? "null" : text);
            } catch {
              notify(`${field.title}: ${text} is not valid JSON`, "error");
              return;
            }
            set(parsed === null ? undefined : parsed);
          }}
        />
      );
      break;
    default:
      control = (
        <input id={inputId} class="carnet-Input" value={String(value ?? "")} onChange={(e) => set(e.currentTarget.value)} />
      );
  }
  return (
    <div class="carnet-Form-row" data-setting={field.key}>
      <label for={inputId}>{field.title}</label>
      {control}
      {settings.isSet(id, field.key) && (
        <button type="button" class="carnet-Button carnet-mod-small" onClick={() => set(undefined)}>
          Reset
        </button>
      )}
      {field.description !== undefined && <p class="carnet-Form-help">{field.description}</p>}
    </div>
  );
}
