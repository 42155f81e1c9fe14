/**
 * Highlighting of code shown outside an editor (fenced blocks in rendered Markdown): the
 * language loads on demand (languages.ts), Lezer parses the text once, and the tokens become
 * spans with the editors' classes (token-classes.ts) — classes only, as the CSP requires.
 */
import { Language, LanguageSupport } from "@codemirror/language";
import { hasLanguage, loadLanguage } from "./languages";
import { highlightedFragment } from "./token-classes";

/** Longer blocks stay plain. */
const MAX_CHARS = 50_000;

/** Fence names (```py) that are another name of a language in languages.ts. */
const ALIASES: Readonly<Record<string, string>> = {
  py: "python",
  py3: "python",
  python3: "python",
  ipython: "python",
  ipython3: "python",
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  ts: "typescript",
  tsx: "typescript",
  yml: "yaml",
  sh: "shell",
  bash: "shell",
  zsh: "shell",
  md: "markdown",
  jl: "julia",
  htm: "html",
  svg: "xml",
};

/** The languages.ts id of a fence's language name, or null when there is none. */
export function languageOf(name: string): string | null {
  const lower = name.toLowerCase();
  const id = ALIASES[lower] ?? lower;
  return hasLanguage(id) ? id : null;
}

async function parserFor(id: string): Promise<Language | null> {
  const extension = await loadLanguage(id);
  if (extension instanceof LanguageSupport) return extension.language;
  return extension instanceof Language ? extension : null;
}

/** Replaces `target`'s text with highlighted spans (same text); false when it cannot. */
export async function highlightElement(target: HTMLElement, name: string): Promise<boolean> {
  const id = languageOf(name);
  const code = target.textContent ?? "";
  if (id === null || code.length > MAX_CHARS) return false;
  const language = await parserFor(id);
  if (language === null || target.textContent !== code) return false;
  target.replaceChildren(highlightedFragment(code, language.parser.parse(code)));
  return true;
}
