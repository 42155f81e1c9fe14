/** Platform facts the UI adapts to (shortcut labels, Cmd vs Ctrl). */
export function isMac(nav: Navigator = navigator): boolean {
  const platform =
    (nav as Navigator & { userAgentData?: { platform?: string } }).userAgentData?.platform ??
    nav.platform;
  return /mac|iphone|ipad/i.test(platform);
}
