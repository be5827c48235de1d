/** What every layer below the entry points logs through; the action maps it onto @actions/core. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** Runs `fn` inside a collapsible log group (a no-op grouping outside GitHub). */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** A logger that drops everything: for tests and the benchmark. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warning: () => {},
  error: () => {},
  group: (_title, fn) => fn(),
};
