/**
 * One execution of the console: the code as it was run, its prompt (`In [n]:`), and its
 * outputs (an OutputArea fed from the kernel's iopub messages, coalesced per frame), with a
 * line to answer `input()` while the kernel waits for one.
 */
import type { Connection } from "../api";
import type { InputRequest, KernelMessage } from "../api/kernel-socket";
import { OutputArea, type OutputJSON } from "../outputs";

export type CellState = "running" | "done" | "error" | "aborted";

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export class ConsoleCell {
  readonly node: HTMLElement;
  private readonly prompt: HTMLElement;
  private readonly area: OutputArea;
  private readonly stdin: HTMLElement;
  private outputs: OutputJSON[] = [];
  private clearPending = false;
  private frame = 0;
  /** Outputs shown by display id, for `update_display_data`. */
  private readonly displays = new Map<string, number[]>();

  constructor(
    conn: Connection,
    readonly code: string,
  ) {
    this.node = document.createElement("div");
    this.node.className = "carnet-ConsoleCell";
    this.node.dataset["state"] = "running";
    const input = document.createElement("div");
    input.className = "carnet-ConsoleCell-input";
    this.prompt = document.createElement("span");
    this.prompt.className = "carnet-ConsoleCell-prompt";
    this.prompt.textContent = "In [*]:";
    const source = document.createElement("pre");
    source.className = "carnet-ConsoleCell-code";
    source.textContent = code;
    input.append(this.prompt, source);
    this.area = new OutputArea({ conn, trusted: true });
    this.stdin = document.createElement("div");
    this.stdin.className = "carnet-ConsoleCell-stdin";
    const outputs = document.createElement("div");
    outputs.className = "carnet-ConsoleCell-outputs";
    outputs.append(this.area.node, this.stdin);
    this.node.append(input, outputs);
  }

  setState(state: CellState, count: number | null = null): void {
    // A finished execution shows all its outputs at once, before its state says so.
    if (state !== "running" && this.frame !== 0) {
      cancelAnimationFrame(this.frame);
      this.render();
    }
    this.node.dataset["state"] = state;
    if (count !== null) this.prompt.textContent = `In [${count}]:`;
    else if (state !== "running" && this.prompt.textContent === "In [*]:") this.prompt.textContent = "In [ ]:";
    if (state !== "running") this.stdin.replaceChildren();
  }

  /** An iopub message of this execution. */
  handle(message: KernelMessage): void {
    const c = message.content;
    switch (message.header.msg_type) {
      case "execute_input":
        if (typeof c["execution_count"] === "number") this.prompt.textContent = `In [${c["execution_count"]}]:`;
        return;
      case "stream":
        this.add({ output_type: "stream", name: text(c["name"]) || "stdout", text: text(c["text"]) });
        return;
      case "display_data":
      case "execute_result": {
        const output: OutputJSON = {
          output_type: message.header.msg_type,
          data: c["data"] ?? {},
          metadata: c["metadata"] ?? {},
        };
        if (message.header.msg_type === "execute_result") output["execution_count"] = c["execution_count"] ?? null;
        const id = this.displayId(c);
        this.add(output);
        if (id !== null) this.displays.set(id, [...(this.displays.get(id) ?? []), this.outputs.length - 1]);
        return;
      }
      case "update_display_data": {
        const id = this.displayId(c);
        if (id === null) return;
        for (const index of this.displays.get(id) ?? []) {
          const old = this.outputs[index];
          if (old !== undefined) this.outputs[index] = { ...old, data: c["data"] ?? {}, metadata: c["metadata"] ?? {} };
        }
        this.schedule();
        return;
      }
      case "error":
        this.add({
          output_type: "error",
          ename: text(c["ename"]),
          evalue: text(c["evalue"]),
          traceback: Array.isArray(c["traceback"]) ? c["traceback"] : [],
        });
        return;
      case "clear_output":
        if (c["wait"] === true) this.clearPending = true;
        else this.clear();
        return;
      default:
        return;
    }
  }

  /** Asks the user for a line of input; `reply` sends it to the kernel. */
  askInput(request: InputRequest, reply: (value: string) => void): void {
    const form = document.createElement("form");
    form.className = "carnet-ConsoleCell-stdinForm";
    const label = document.createElement("label");
    const promptText = document.createElement("span");
    promptText.className = "carnet-ConsoleCell-stdinPrompt";
    promptText.textContent = request.prompt;
    const field = document.createElement("input");
    field.className = "carnet-Input carnet-ConsoleCell-stdinField";
    field.type = request.password ? "password" : "text";
    field.autocomplete = "off";
    field.setAttribute("aria-label", request.prompt === "" ? "Input requested by the kernel" : request.prompt);
    label.append(promptText, field);
    form.append(label);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = field.value;
      form.remove();
      // Shown as the kernel's own echo would be: the prompt and the answer on one line.
      this.add({ output_type: "stream", name: "stdout", text: `${request.prompt}${request.password ? "········" : value}\n` });
      reply(value);
    });
    this.stdin.replaceChildren(form);
    field.focus();
  }

  get waitingForInput(): boolean {
    return this.stdin.querySelector("input") !== null;
  }

  dispose(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.area.dispose();
    this.node.remove();
  }

  private displayId(content: Record<string, unknown>): string | null {
    const transient = content["transient"];
    if (typeof transient !== "object" || transient === null) return null;
    const id = (transient as Record<string, unknown>)["display_id"];
    return typeof id === "string" ? id : null;
  }

  private clear(): void {
    this.outputs = [];
    this.displays.clear();
    this.clearPending = false;
    this.schedule();
  }

  private add(output: OutputJSON): void {
    if (this.clearPending) this.clear();
    const last = this.outputs[this.outputs.length - 1];
    if (
      output.output_type === "stream" &&
      last !== undefined &&
      last.output_type === "stream" &&
      last["name"] === output["name"]
    ) {
      // Consecutive chunks of one stream are one output, as in a notebook.
      this.outputs[this.outputs.length - 1] = { ...last, text: text(last["text"]) + text(output["text"]) };
    } else {
      this.outputs.push(output);
    }
    this.schedule();
  }

  /** Renders at most once per frame: a chatty loop does not re-render per message. */
  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.frame = 0;
    this.area.setOutputs(this.outputs);
    this.node.dispatchEvent(new CustomEvent("carnet-console-output", { bubbles: true }));
  }
}
