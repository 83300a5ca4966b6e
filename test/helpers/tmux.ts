// The tmux driver lives in scripts/tmux.js (plain JS: `npm run screenshots` runs it
// without a build); the tests use the same one.
export { shellQuote, startTmux, type PaneState, type StartTmuxOptions, type TmuxSession } from '../../scripts/tmux.js';
