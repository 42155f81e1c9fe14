/** The status bar: items from the status registry, left and right, in rank order. */
import "@preact/signals";
import { render } from "preact";
import type { StatusItem } from "../plugins/api";
import type { Registry } from "../model/registry";

function StatusBar(props: { items: Registry<StatusItem> }): preact.JSX.Element {
  const all = props.items.all();
  const side = (align: "left" | "right"): preact.JSX.Element[] =>
    all
      .filter((i) => i.align === align)
      .map((i) => (
        <span key={i.id} class="carnet-StatusItem" data-status={i.id}>
          <StatusSlot item={i} />
        </span>
      ));
  return (
    <>
      <div class="carnet-StatusBar-left">{side("left")}</div>
      <div class="carnet-StatusBar-right">{side("right")}</div>
    </>
  );
}

function StatusSlot(props: { item: StatusItem }): preact.JSX.Element {
  return <>{props.item.render()}</>;
}

export function mountStatusBar(host: HTMLElement, items: Registry<StatusItem>): void {
  render(<StatusBar items={items} />, host);
}
