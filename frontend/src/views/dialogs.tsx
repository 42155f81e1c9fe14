/**
 * Modal dialogs: a message with buttons, or a one-line prompt. Focus moves into the dialog,
 * Tab cycles inside it, Escape cancels, Enter accepts; focus returns where it was. Dialogs
 * resolve to the chosen button's value (null on cancel), so callers read like questions.
 */
import { type ComponentChildren, render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export interface DialogButton<T> {
  readonly label: string;
  readonly value: T;
  /** The default button (Enter); styled as primary. */
  readonly accept?: boolean;
  /** Destructive actions are styled as such. */
  readonly danger?: boolean;
}

export interface DialogOptions<T> {
  readonly title: string;
  readonly body?: ComponentChildren;
  readonly buttons: readonly DialogButton<T>[];
  /** A stable hook for tests and styling: `data-dialog="<id>"`. */
  readonly id?: string;
}

export interface PromptOptions {
  readonly title: string;
  readonly label: string;
  readonly value?: string;
  readonly okLabel?: string;
  /** Selects the name without its extension, as file managers do on rename. */
  readonly selectStem?: boolean;
  /** An error message for a bad value, or null when fine. */
  readonly validate?: (value: string) => string | null;
  readonly id?: string;
}

let openCount = 0;

function mount(content: (close: () => void) => ComponentChildren): () => void {
  const host = document.createElement("div");
  host.className = "carnet-DialogHost";
  document.body.append(host);
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  openCount += 1;
  document.body.classList.add("carnet-mod-modal");
  const close = (): void => {
    render(null, host);
    host.remove();
    openCount -= 1;
    if (openCount === 0) document.body.classList.remove("carnet-mod-modal");
    previous?.focus();
  };
  render(content(close), host);
  return close;
}

/** Shows a dialog; resolves to the clicked button's value, or null when cancelled. */
export function showDialog<T>(options: DialogOptions<T>): Promise<T | null> {
  return new Promise((resolve) => {
    mount((close) => (
      <DialogFrame
        title={options.title}
        id={options.id}
        onCancel={() => {
          close();
          resolve(null);
        }}
        onAccept={() => {
          const accept = options.buttons.find((b) => b.accept === true);
          if (accept !== undefined) {
            close();
            resolve(accept.value);
          }
        }}
      >
        <div class="carnet-Dialog-body">{options.body}</div>
        <div class="carnet-Dialog-buttons">
          {options.buttons.map((b) => (
            <button
              type="button"
              key={b.label}
              class={`carnet-Button${b.accept === true ? " carnet-mod-accept" : ""}${
                b.danger === true ? " carnet-mod-danger" : ""
              }`}
              data-autofocus={b.accept === true ? "1" : undefined}
              onClick={() => {
                close();
                resolve(b.value);
              }}
            >
              {b.label}
            </button>
          ))}
        </div>
      </DialogFrame>
    ));
  });
}

/** Asks for one line of text; resolves to it, or null when cancelled. */
export function prompt(options: PromptOptions): Promise<string | null> {
  return new Promise((resolve) => {
    mount((close) => (
      <PromptDialog
        options={options}
        onDone={(value) => {
          close();
          resolve(value);
        }}
      />
    ));
  });
}

/** A yes/no question; resolves to true only when confirmed. */
export async function confirm(
  title: string,
  body: ComponentChildren,
  okLabel: string,
  danger = false,
): Promise<boolean> {
  const answer = await showDialog({
    title,
    body,
    id: "confirm",
    buttons: [
      { label: "Cancel", value: false },
      { label: okLabel, value: true, accept: true, danger },
    ],
  });
  return answer === true;
}

function PromptDialog(props: {
  options: PromptOptions;
  onDone: (value: string | null) => void;
}): preact.JSX.Element {
  const { options, onDone } = props;
  const [value, setValue] = useState(options.value ?? "");
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const node = input.current;
    if (node === null) return;
    node.focus();
    const v = node.value;
    const dot = v.lastIndexOf(".");
    if (options.selectStem === true && dot > 0) node.setSelectionRange(0, dot);
    else node.select();
  }, []);
  const submit = (): void => {
    const problem = options.validate?.(value) ?? null;
    if (problem !== null) {
      setError(problem);
      return;
    }
    onDone(value);
  };
  return (
    <DialogFrame title={options.title} id={options.id} onCancel={() => onDone(null)} onAccept={submit}>
      <div class="carnet-Dialog-body">
        <label class="carnet-Field">
          <span>{options.label}</span>
          <input
            ref={input}
            class="carnet-Input"
            value={value}
            aria-invalid={error !== null}
            onInput={(e) => {
              setValue(e.currentTarget.value);
              setError(null);
            }}
          />
        </label>
        {error !== null && (
          <p class="carnet-Dialog-error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div class="carnet-Dialog-buttons">
        <button type="button" class="carnet-Button" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="button" class="carnet-Button carnet-mod-accept" onClick={submit}>
          {options.okLabel ?? "OK"}
        </button>
      </div>
    </DialogFrame>
  );
}

function DialogFrame(props: {
  title: string;
  id: string | undefined;
  onCancel: () => void;
  onAccept: () => void;
  children: ComponentChildren;
}): preact.JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const titleId = useRef(`carnet-dialog-${Math.random().toString(36).slice(2)}`);
  useEffect(() => {
    const node = box.current;
    if (node === null || node.contains(document.activeElement)) return;
    const target =
      node.querySelector<HTMLElement>("input, textarea, select") ??
      node.querySelector<HTMLElement>("[data-autofocus]") ??
      node.querySelector<HTMLElement>("button");
    target?.focus();
  }, []);
  const onKeyDown = (event: KeyboardEvent): void => {
    // Keys typed in a dialog are the dialog's: app shortcuts must not fire behind it.
    event.stopPropagation();
    if (event.key === "Escape") {
      event.preventDefault();
      props.onCancel();
    } else if (event.key === "Enter" && !(event.target instanceof HTMLButtonElement)) {
      event.preventDefault();
      props.onAccept();
    } else if (event.key === "Tab") {
      trapTab(event, box.current);
    }
  };
  return (
    <div class="carnet-Dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onCancel()}>
      <div
        ref={box}
        class="carnet-Dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId.current}
        data-dialog={props.id}
        onKeyDown={onKeyDown}
      >
        <h2 class="carnet-Dialog-title" id={titleId.current}>
          {props.title}
        </h2>
        {props.children}
      </div>
    </div>
  );
}

function trapTab(event: KeyboardEvent, box: HTMLElement | null): void {
  if (box === null) return;
  const focusable = [
    ...box.querySelectorAll<HTMLElement>("button, input, select, textarea, a[href], [tabindex]"),
  ].filter((n) => !n.hasAttribute("disabled") && n.tabIndex >= 0);
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (first === undefined || last === undefined) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}
