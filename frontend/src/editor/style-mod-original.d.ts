// The real style-mod package, reached under another name so csp-style-mod.ts can wrap it.
declare module "style-mod-original" {
  export * from "style-mod";
}
