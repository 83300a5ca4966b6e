export interface DemoPackage {
  /** the copy's root (holds package.json, bin/, dist/, examples/demo) */
  dir: string;
  /** its examples/demo */
  demo: string;
  /** its bin/auto-hot-reload.js */
  bin: string;
  configFile: string;
  /** replaces `from` by `to` in a file of the demo (relative to examples/demo); throws when `from` is missing */
  edit(rel: string, from: string, to: string): void;
  cleanup(): void;
}
export function demoPackage(opts?: { cooldown?: number }): DemoPackage;
