// Types of scripts/tmux.js (plain JS so that `node scripts/screenshots.js` runs without a build).

export interface PaneState {
  /** the command has exited */
  exited: boolean;
  /** its exit status once exited (128+N when signal N ended it, as sh reports) */
  status: number | null;
}

export interface TmuxSession {
  readonly socket: string;
  readonly name: string;
  /** the visible screen; `ansi` keeps colours and attributes as SGR sequences */
  capture(opts?: { ansi?: boolean }): Promise<string>;
  /** tmux key names: 'q', 't', 'Enter', 'Escape', 'Up', 'C-c', … (each one key press) */
  sendKeys(...keys: string[]): Promise<void>;
  /** polls the screen until `test` matches; throws with the last screen after `timeoutMs` */
  waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs?: number, what?: string): Promise<string>;
  pane(): Promise<PaneState>;
  /** waits (bounded) until the command in the pane has exited */
  waitForExit(timeoutMs?: number): Promise<PaneState>;
  /** a tmux format expanded for the pane, e.g. '#{cursor_flag}' (1 while the cursor is visible) */
  display(format: string): Promise<string>;
  resize(cols: number, rows: number): Promise<void>;
  /** kills the session's tmux server (and with it the pane's process); safe to call twice */
  kill(): Promise<void>;
}

export interface StartTmuxOptions {
  cols?: number;
  rows?: number;
  cwd: string;
  /** the pane's environment (default: this process's, without CI so a TUI may start) */
  env?: NodeJS.ProcessEnv;
}

export function shellQuote(arg: string): string;
export function startTmux(argv: string[], opts: StartTmuxOptions): Promise<TmuxSession>;
