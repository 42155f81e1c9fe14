/**
 * The terminal emulator (xterm.js 6 with its fit, search and web-links addons), loaded on
 * demand: `createTerminal` builds one in `parent` with carnet's theme and returns a small
 * handle the terminal widget drives. xterm's injected styles go through `<carnet-style>`
 * (csp-style-element.ts, and the build-time rewrite in vite.config.ts), so it runs under the
 * page's strict CSP.
 */
import "./csp-style-element";
import "@xterm/xterm/css/xterm.css";
import { FitAddon } from "@xterm/addon-fit";
import { SearchAddon } from "@xterm/addon-search";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { type ITheme, Terminal } from "@xterm/xterm";

export interface TerminalLook {
  readonly dark: boolean;
  readonly fontSize: number;
  readonly fontFamily: string;
  /** Colours from the app's theme (CSS variables). */
  readonly background: string;
  readonly foreground: string;
  readonly selection: string;
}

export interface TerminalConfig {
  readonly scrollback: number;
  readonly cursorBlink: boolean;
}

export interface TerminalOptions {
  readonly parent: HTMLElement;
  readonly look: TerminalLook;
  readonly config: TerminalConfig;
  readonly label: string;
  /** What the user typed or pasted, to send to the process. */
  readonly onData: (text: string) => void;
  /** Asked before xterm handles a key: false leaves it to the browser (copy, paste). */
  readonly onKey: (event: KeyboardEvent) => boolean;
}

export interface TerminalSize {
  readonly rows: number;
  readonly cols: number;
  readonly height: number;
  readonly width: number;
}

export interface SearchOptions {
  readonly caseSensitive: boolean;
  readonly backwards: boolean;
}

export interface TerminalHandle {
  write(text: string): void;
  /** Clears screen and scrollback (before the server replays its scrollback). */
  reset(): void;
  /** Fits rows and columns to the parent; null while it has no size (hidden). */
  fit(): TerminalSize | null;
  focus(): void;
  setLook(look: TerminalLook): void;
  setConfig(config: TerminalConfig): void;
  hasSelection(): boolean;
  getSelection(): string;
  selectAll(): void;
  /** Sends `text` as typed, with bracketed-paste markers when the program asked for them. */
  paste(text: string): void;
  /** Selects the next (or previous) match; false when there is none. */
  find(term: string, options: SearchOptions): boolean;
  clearSearch(): void;
  dispose(): void;
}

// ANSI colours with at least 4.5:1 contrast on each theme's background; xterm's
// `minimumContrastRatio` fixes what programs choose for themselves.
const LIGHT_ANSI: ITheme = {
  black: "#1d2026",
  red: "#b3261e",
  green: "#1b6b2f",
  yellow: "#7a5c00",
  blue: "#0a58ca",
  magenta: "#8a2b9e",
  cyan: "#0d6b6b",
  white: "#525a66",
  brightBlack: "#5f6b78",
  brightRed: "#a4162e",
  brightGreen: "#2a7a3a",
  brightYellow: "#6a5700",
  brightBlue: "#1750a8",
  brightMagenta: "#9c2a9a",
  brightCyan: "#0b6a7a",
  brightWhite: "#3b4048",
};

const DARK_ANSI: ITheme = {
  black: "#5c6370",
  red: "#ff8a80",
  green: "#9ad58f",
  yellow: "#e6cf72",
  blue: "#8cc4ff",
  magenta: "#d7a2ff",
  cyan: "#6fd6d0",
  white: "#c9ced6",
  brightBlack: "#9199a5",
  brightRed: "#ffaba3",
  brightGreen: "#b5e8ab",
  brightYellow: "#fff0a0",
  brightBlue: "#b0d6ff",
  brightMagenta: "#e6c4ff",
  brightCyan: "#9ce9e4",
  brightWhite: "#ffffff",
};

function themeOf(look: TerminalLook): ITheme {
  return {
    ...(look.dark ? DARK_ANSI : LIGHT_ANSI),
    background: look.background,
    foreground: look.foreground,
    cursor: look.foreground,
    cursorAccent: look.background,
    selectionBackground: look.selection,
  };
}

/** Opens http(s) links in a new tab that cannot reach back into carnet's page. */
function openLink(event: MouseEvent, uri: string): void {
  if (!/^https?:\/\//i.test(uri)) return;
  event.preventDefault();
  window.open(uri, "_blank", "noopener,noreferrer");
}

export function createTerminal(options: TerminalOptions): TerminalHandle {
  const { look, config } = options;
  const term = new Terminal({
    fontSize: look.fontSize,
    fontFamily: look.fontFamily,
    theme: themeOf(look),
    scrollback: config.scrollback,
    cursorBlink: config.cursorBlink,
    minimumContrastRatio: 4.5,
    allowProposedApi: false,
    screenReaderMode: false,
  });
  const fit = new FitAddon();
  const search = new SearchAddon();
  term.loadAddon(fit);
  term.loadAddon(search);
  term.loadAddon(new WebLinksAddon(openLink));
  term.attachCustomKeyEventHandler((event) => options.onKey(event));
  term.onData((text) => options.onData(text));
  term.open(options.parent);
  term.textarea?.setAttribute("aria-label", options.label);

  return {
    write: (text) => term.write(text),
    reset: () => term.reset(),
    fit: () => {
      const proposed = fit.proposeDimensions();
      if (proposed === undefined || !Number.isFinite(proposed.cols) || !Number.isFinite(proposed.rows)) {
        return null;
      }
      if (proposed.cols < 1 || proposed.rows < 1) return null;
      fit.fit();
      const box = options.parent.getBoundingClientRect();
      return { rows: term.rows, cols: term.cols, height: box.height, width: box.width };
    },
    focus: () => term.focus(),
    setLook: (next) => {
      term.options.theme = themeOf(next);
      term.options.fontSize = next.fontSize;
      term.options.fontFamily = next.fontFamily;
    },
    setConfig: (next) => {
      term.options.scrollback = next.scrollback;
      term.options.cursorBlink = next.cursorBlink;
    },
    hasSelection: () => term.hasSelection(),
    getSelection: () => term.getSelection(),
    selectAll: () => term.selectAll(),
    paste: (text) => term.paste(text),
    find: (query, opts) => {
      if (query === "") {
        search.clearDecorations();
        term.clearSelection();
        return false;
      }
      const searchOptions = { caseSensitive: opts.caseSensitive };
      return opts.backwards ? search.findPrevious(query, searchOptions) : search.findNext(query, searchOptions);
    },
    clearSearch: () => {
      search.clearDecorations();
      term.clearSelection();
    },
    dispose: () => term.dispose(),
  };
}
