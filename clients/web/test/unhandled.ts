// Catches unhandled promise rejections while a test runs: the browser would print each one
// to the console. (Vitest reports one too, but not as a failure of the test that caused it.)

/** The parts of Node's globals used here (the project has no Node type definitions). */
interface NodeGlobals {
  process: {
    on(event: "unhandledRejection", listener: (reason: unknown) => void): void;
    off(event: "unhandledRejection", listener: (reason: unknown) => void): void;
  };
  setImmediate(callback: () => void): void;
}

const node = globalThis as unknown as NodeGlobals;

/** Listens for unhandled rejections; `stop()` ends listening and returns their reasons. */
export function watchUnhandled(): { stop(): Promise<unknown[]> } {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => {
    seen.push(reason);
  };
  node.process.on("unhandledRejection", listener);
  return {
    async stop() {
      // Node reports a rejection as unhandled once the microtasks after it have run; a few
      // real macrotask turns (tests keep setImmediate unfaked) leave it time to.
      for (let i = 0; i < 3; i++) await new Promise<void>((r) => node.setImmediate(r));
      node.process.off("unhandledRejection", listener);
      return seen;
    },
  };
}
