/**
 * The kernel picker of "New Console" (and of a text editor's console): a new kernel of any
 * installed kernelspec, or the kernel of a running notebook (the console then shares its
 * variables).
 */
import type { KernelSpec } from "../api";
import { showDialog } from "../views/dialogs";

export interface KernelChoice {
  /** A kernelspec to start, or the id of a running kernel to attach to. */
  readonly spec?: string;
  readonly kernelId?: string;
}

export interface RunningChoice {
  readonly kernelId: string;
  readonly label: string;
}

export interface PickOptions {
  readonly title?: string;
  /** Preselect a kernelspec of this language (a file's: "python", "r", "julia"). */
  readonly language?: string;
}

export async function pickKernel(
  specs: readonly KernelSpec[],
  defaultSpec: string | null,
  running: readonly RunningChoice[],
  options: PickOptions = {},
): Promise<KernelChoice | null> {
  const language = options.language?.toLowerCase();
  const ofLanguage = specs.filter((s) => language !== undefined && s.language.toLowerCase() === language);
  const first =
    ofLanguage.find((s) => s.name === defaultSpec) ??
    ofLanguage[0] ??
    specs.find((s) => s.name === defaultSpec) ??
    specs[0];
  let value = first !== undefined ? `spec:${first.name}` : (running[0] !== undefined ? `kernel:${running[0].kernelId}` : "");
  const answer = await showDialog<boolean>({
    title: options.title ?? "Select a kernel for the console",
    id: "console-kernel",
    body: (
      <label class="carnet-ConsolePicker">
        <span>Kernel</span>
        <select
          class="carnet-Input carnet-ConsolePicker-select"
          aria-label="Kernel"
          value={value}
          onChange={(e) => {
            value = e.currentTarget.value;
          }}
        >
          <optgroup label="Start a new kernel">
            {specs.map((s) => (
              <option key={s.name} value={`spec:${s.name}`}>
                {s.displayName}
              </option>
            ))}
          </optgroup>
          {running.length > 0 && (
            <optgroup label="Use the kernel of a notebook">
              {running.map((r) => (
                <option key={r.kernelId} value={`kernel:${r.kernelId}`}>
                  {r.label}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
    ),
    buttons: [
      { label: "Cancel", value: false },
      { label: "Select", value: true, accept: true },
    ],
  });
  if (answer !== true || value === "") return null;
  return value.startsWith("spec:") ? { spec: value.slice(5) } : { kernelId: value.slice(7) };
}
