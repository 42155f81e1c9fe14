/**
 * The box under a cell that waits for `input()`: the server publishes the pending request in
 * the document (`carnet.stdin`) to every view; the first answer wins (a late one gets 409,
 * which is fine: the prompt goes away when the server clears the request).
 */
import { ApiError } from "../api";
import { el } from "../util/dom";
import { describeError, notify } from "../views/notify";
import type { StdinRequest } from "./model";

/** Fills `box` with the prompt and an input; `answer` sends the value. Returns the input. */
export function renderStdin(
  box: HTMLElement,
  request: StdinRequest,
  answer: (value: string) => Promise<void>,
): HTMLInputElement {
  const input = el("input", {
    className: "carnet-Stdin-input",
    type: request.password ? "password" : "text",
    "aria-label": request.prompt || "Input",
    autocomplete: "off",
    // Keys typed here are text, never notebook shortcuts.
    "data-carnet-raw-keys": "",
  });
  const label = el("label", { className: "carnet-Stdin-prompt" }, request.prompt);
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    input.disabled = true;
    answer(input.value).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 409) return;
      input.disabled = false;
      notify(`Could not send the input: ${describeError(error)}`, "error");
    });
  });
  box.dataset["requestId"] = request.requestId;
  box.replaceChildren(label, input);
  return input;
}
