// The keybinding table and the UI reducer, tested without rendering.
import { describe, expect, it } from 'vitest';
import { BINDINGS, footerItems, helpItems, resolveCommand, type Mode } from '../components/view/keys.js';
import { extraEscapes } from '../components/hooks/useEscapeRuns.js';
import { initialUi, reduceUi, type UiContext, type UiState } from '../components/view/ui.js';

const MODES: Mode[] = ['main', 'confirm-rollback', 'help', 'errors', 'detail'];

describe('keybinding table', () => {
  it('maps the main-screen keys to their commands', () => {
    expect(resolveCommand('main', 't', {})).toBe('trigger');
    expect(resolveCommand('main', 'v', {})).toBe('verify');
    expect(resolveCommand('main', 'r', {})).toBe('rollback');
    expect(resolveCommand('main', 'p', {})).toBe('toggle-pause');
    expect(resolveCommand('main', 'e', {})).toBe('error-log');
    expect(resolveCommand('main', '?', {})).toBe('help');
    expect(resolveCommand('main', 'q', {})).toBe('quit');
    expect(resolveCommand('main', 'c', { ctrl: true })).toBe('quit');
    expect(resolveCommand('main', 'x', {})).toBeUndefined();
  });

  it('Ctrl chords are not their plain letters, and plain c is not quit', () => {
    expect(resolveCommand('main', 't', { ctrl: true })).toBeUndefined();
    expect(resolveCommand('main', 'c', {})).toBeUndefined();
  });

  it('the rollback confirmation only knows y, n, Esc and quit', () => {
    expect(resolveCommand('confirm-rollback', 'y', {})).toBe('confirm');
    expect(resolveCommand('confirm-rollback', 'Y', {})).toBe('confirm');
    expect(resolveCommand('confirm-rollback', 'n', {})).toBe('cancel');
    expect(resolveCommand('confirm-rollback', '', { escape: true })).toBe('cancel');
    expect(resolveCommand('confirm-rollback', 'r', {})).toBeUndefined();
    expect(resolveCommand('confirm-rollback', 't', {})).toBeUndefined();
    expect(resolveCommand('confirm-rollback', 'c', { ctrl: true })).toBe('quit');
  });

  it('the error log scrolls with arrows, pages, g/G, opens with Enter, leaves with Esc', () => {
    expect(resolveCommand('errors', '', { upArrow: true })).toBe('up');
    expect(resolveCommand('errors', '', { downArrow: true })).toBe('down');
    expect(resolveCommand('errors', '', { pageUp: true })).toBe('page-up');
    expect(resolveCommand('errors', '', { pageDown: true })).toBe('page-down');
    expect(resolveCommand('errors', 'g', {})).toBe('top');
    expect(resolveCommand('errors', 'G', {})).toBe('bottom');
    expect(resolveCommand('errors', '', { return: true })).toBe('open');
    expect(resolveCommand('errors', '', { escape: true })).toBe('back');
    // engine keys do nothing inside the error log
    expect(resolveCommand('errors', 't', {})).toBeUndefined();
    expect(resolveCommand('detail', '', { escape: true })).toBe('back');
    expect(resolveCommand('detail', '', { return: true })).toBeUndefined();
  });

  it('quit works in every mode, and no key means two commands in one mode', () => {
    for (const mode of MODES) {
      expect(resolveCommand(mode, 'c', { ctrl: true })).toBe('quit');
      const seen = new Map<string, string>();
      for (const b of BINDINGS.filter((x) => x.modes.includes(mode))) {
        for (const k of b.keys) {
          const id = JSON.stringify(k);
          expect(seen.get(id), `${id} in ${mode}`).toBeUndefined();
          seen.set(id, b.command);
        }
      }
    }
  });

  it('the footer and the help are rendered from the same table', () => {
    expect(footerItems('main').map((i) => `${i.label} ${i.short}`)).toEqual([
      't trigger',
      'v verify',
      'r rollback',
      'p pause',
      'e errors',
      'o output',
      '? help',
      'q/^C quit',
    ]);
    expect(footerItems('errors').map((i) => i.label)).toEqual(['↑/↓', 'PgUp/PgDn', 'g/G', 'Enter', 'Esc', 'q/^C']);
    expect(footerItems('output').map((i) => i.label)).toEqual(['↑/↓', 'PgUp/PgDn', 'g/G', 'Esc', 'q/^C']);
    expect(footerItems('confirm-rollback').map((i) => i.label)).toEqual(['y', 'n/Esc']);
    expect(footerItems('help').map((i) => `${i.label} ${i.short}`)).toEqual(['? close', 'Esc back', 'q/^C quit']);
    expect(helpItems('main').map((i) => i.label)).toEqual(['t', 'v', 'r', 'p', 'e', 'o', '?', 'q/^C']);
    // the help names every key: k/j beside the arrows, q beside n/Esc at the question
    expect(helpItems('errors').map((i) => i.label)).toEqual(['↑/↓ k/j', 'PgUp/PgDn', 'g/G', 'Enter', 'Esc', 'q/^C']);
    expect(helpItems('confirm-rollback').map((i) => i.label)).toEqual(['y', 'n/Esc/q']);
    expect(helpItems('main').find((i) => i.label === 'r')?.help).toBe('roll back to the previous version (asks y/n)');
  });

  it('a run of ESC bytes in one read carries extra Esc presses; other input none', () => {
    expect(extraEscapes('\u001b')).toBe(0);
    expect(extraEscapes('\u001b\u001b')).toBe(1);
    expect(extraEscapes('\u001b\u001b\u001b')).toBe(2);
    expect(extraEscapes('\u001b[A')).toBe(0);
    expect(extraEscapes('\u001b\u001b[A')).toBe(0); // meta+↑ is not two Esc
    expect(extraEscapes('q')).toBe(0);
    expect(extraEscapes(undefined)).toBe(0);
  });

  it('the quit help is true with and without demo (which stops its service on quit)', () => {
    expect(helpItems('main').find((i) => i.label === 'q/^C')?.help).toBe('quit: stop watching and restore the terminal');
    for (const b of BINDINGS) expect(b.help).not.toMatch(/service keeps running/);
  });
});

describe('UI reducer', () => {
  const ctx: UiContext = { entryCount: 30, pageSize: 10, detailLines: 25 };

  it('engine commands become effects without leaving the main screen', () => {
    expect(reduceUi(initialUi, 'trigger', ctx)).toEqual({ ui: initialUi, effect: 'trigger' });
    expect(reduceUi(initialUi, 'verify', ctx)).toEqual({ ui: initialUi, effect: 'verify' });
    expect(reduceUi(initialUi, 'toggle-pause', ctx)).toEqual({ ui: initialUi, effect: 'toggle-pause' });
    expect(reduceUi(initialUi, 'quit', ctx)).toEqual({ ui: initialUi, effect: 'quit' });
  });

  it('rollback asks first; only confirm dispatches it', () => {
    const asked = reduceUi(initialUi, 'rollback', ctx);
    expect(asked).toEqual({ ui: { ...initialUi, mode: 'confirm-rollback' } });
    expect(reduceUi(asked.ui, 'confirm', ctx)).toEqual({ ui: initialUi, effect: 'rollback' });
    expect(reduceUi(asked.ui, 'cancel', ctx)).toEqual({ ui: initialUi });
  });

  it('the service output scrolls back from its newest line; G follows new lines again', () => {
    let ui = reduceUi(initialUi, 'service-output', ctx).ui;
    expect(ui).toMatchObject({ mode: 'output', outputBack: 0 });
    const out = { ...ctx, outputLines: 50, pageSize: 10 };
    ui = reduceUi(ui, 'up', out).ui;
    expect(ui.outputBack).toBe(1);
    ui = reduceUi(ui, 'top', out).ui;
    expect(ui.outputBack).toBe(40);
    ui = reduceUi(ui, 'page-down', out).ui;
    expect(ui.outputBack).toBe(30);
    ui = reduceUi(ui, 'bottom', out).ui;
    expect(ui.outputBack).toBe(0);
    expect(reduceUi(ui, 'back', out).ui.mode).toBe('main');
  });

  it('r with nothing to roll back answers instead of asking', () => {
    expect(reduceUi(initialUi, 'rollback', { ...ctx, canRollBack: false })).toEqual({ ui: initialUi, effect: 'nothing-to-roll-back' });
    expect(reduceUi(initialUi, 'rollback', ctx).ui.mode).toBe('confirm-rollback');
  });

  it('q at the rollback question cancels it; Ctrl+C still quits', () => {
    expect(resolveCommand('confirm-rollback', 'q', {})).toBe('cancel');
    expect(resolveCommand('confirm-rollback', 'c', { ctrl: true })).toBe('quit');
    expect(resolveCommand('main', 'q', {})).toBe('quit');
  });

  it('opening the error log loads it and selects the newest entry', () => {
    const start: UiState = { mode: 'main', selected: 7, detailTop: 3, outputBack: 0 };
    expect(reduceUi(start, 'error-log', { ...ctx, now: 5 })).toEqual({ ui: { mode: 'errors', selected: 0, selectedKey: undefined, detailTop: 0, outputBack: 0, openedAt: 5 }, effect: 'load-errors' });
  });

  it('moves the selection within bounds', () => {
    let ui: UiState = { mode: 'errors', selected: 0, detailTop: 0, outputBack: 0 };
    ui = reduceUi(ui, 'up', ctx).ui;
    expect(ui.selected).toBe(0);
    ui = reduceUi(ui, 'down', ctx).ui;
    expect(ui.selected).toBe(1);
    ui = reduceUi(ui, 'page-down', ctx).ui;
    expect(ui.selected).toBe(11);
    ui = reduceUi(ui, 'bottom', ctx).ui;
    expect(ui.selected).toBe(29);
    ui = reduceUi(ui, 'page-down', ctx).ui;
    expect(ui.selected).toBe(29);
    ui = reduceUi(ui, 'page-up', ctx).ui;
    expect(ui.selected).toBe(19);
    ui = reduceUi(ui, 'top', ctx).ui;
    expect(ui.selected).toBe(0);
  });

  it('Enter opens the detail (not on an empty list); the detail scrolls; Esc goes back one screen at a time', () => {
    const list: UiState = { mode: 'errors', selected: 4, detailTop: 0, outputBack: 0 };
    expect(reduceUi(list, 'open', { ...ctx, entryCount: 0 }).ui).toEqual(list);
    const detail = reduceUi(list, 'open', ctx).ui;
    expect(detail).toEqual({ mode: 'detail', selected: 4, detailTop: 0, outputBack: 0 });
    expect(reduceUi(detail, 'down', ctx).ui.detailTop).toBe(1);
    // 25 lines shown 10 at a time: the last page starts at line 15
    expect(reduceUi(detail, 'bottom', ctx).ui.detailTop).toBe(15);
    expect(reduceUi(detail, 'page-down', ctx).ui.detailTop).toBe(10);
    expect(reduceUi({ ...detail, detailTop: 15 }, 'page-down', ctx).ui.detailTop).toBe(15);
    expect(reduceUi(detail, 'up', ctx).ui).toEqual(detail);
    const back = reduceUi(detail, 'back', ctx).ui;
    expect(back).toEqual({ mode: 'errors', selected: 4, detailTop: 0, outputBack: 0 });
    expect(reduceUi(back, 'back', ctx).ui.mode).toBe('main');
  });

  it('? toggles the help', () => {
    const help = reduceUi(initialUi, 'help', ctx).ui;
    expect(help.mode).toBe('help');
    expect(reduceUi(help, 'help', ctx).ui.mode).toBe('main');
    expect(reduceUi(help, 'back', ctx).ui.mode).toBe('main');
  });
});
