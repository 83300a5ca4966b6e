// A bad configuration value or usage: the CLI prints the message and exits 2.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly exitCode = 2 as const;
  /** one line per problem found (the message joins them) */
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super(list.join('\n'));
    this.problems = list;
  }
}

export const isConfigError = (e: unknown): e is ConfigError => e instanceof ConfigError;
