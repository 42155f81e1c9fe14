/**
 * The contextual help panel ("Show Contextual Help", Ctrl+I): the docs of the object under the
 * cursor of the focused notebook code cell or console prompt (model/help.ts), ANSI colours
 * rendered. It keeps the last docs found while the cursor is somewhere without any.
 */
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { effect } from "@preact/signals-core";
import type { ContextualHelp } from "../model/help";
import { ansiFragment } from "../outputs/ansi";

export class HelpPanel extends Widget {
  private readonly stop: () => void;

  constructor(private readonly help: ContextualHelp) {
    super();
    this.id = "carnet-contextual-help";
    this.addClass("carnet-HelpPanel");
    this.title.label = "Contextual Help";
    this.title.closable = true;
    this.node.tabIndex = -1;
    this.node.setAttribute("role", "region");
    this.node.setAttribute("aria-label", "Contextual help");
    const body = document.createElement("pre");
    body.className = "carnet-HelpPanel-content";
    const placeholder = document.createElement("p");
    placeholder.className = "carnet-HelpPanel-placeholder";
    placeholder.textContent = "Move the cursor onto a name in a code cell or console to see its documentation.";
    this.node.append(placeholder, body);
    this.stop = effect(() => {
      const text = help.text.value;
      placeholder.hidden = text !== null;
      body.hidden = text === null;
      body.replaceChildren(text === null ? "" : ansiFragment(text));
    });
  }

  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.help.setShown(true);
  }

  protected override onBeforeDetach(msg: Message): void {
    this.help.setShown(false);
    super.onBeforeDetach(msg);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.stop();
    this.help.setShown(false);
    super.dispose();
  }
}
