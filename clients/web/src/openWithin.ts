// Waiting a bounded time for a transport to open. A plain `Promise.race` with a timer leaves
// the losing opening behind with nobody deciding what happens to it: if it rejects later the
// handling is incidental, and if it opens later the session stays open (on the server too)
// with nothing using it. Here the abandoned opening stays watched to its end.

/** How the wait ended. */
export type Opening<T> =
  | { kind: "opened"; value: T }
  /** The limit passed first; the opening was abandoned. */
  | { kind: "expired" }
  | { kind: "failed"; error: unknown };

/**
 * Waits for `opening` for at most `limitMs` (without a limit when null). Never rejects. Once
 * the limit has passed, a late rejection of `opening` is swallowed here (it would otherwise be
 * an unhandled rejection in the console) and a late value is handed to `onLate`, which closes
 * what opened too late to be used.
 */
export function openWithin<T>(opening: Promise<T>, limitMs: number | null, onLate: (value: T) => void): Promise<Opening<T>> {
  return new Promise((resolve) => {
    let waiting = true;
    const timer =
      limitMs === null
        ? null
        : setTimeout(() => {
            waiting = false;
            resolve({ kind: "expired" });
          }, limitMs);
    const done = (result: Opening<T>): void => {
      waiting = false;
      if (timer !== null) clearTimeout(timer);
      resolve(result);
    };
    opening.then(
      (value) => {
        if (waiting) {
          done({ kind: "opened", value });
          return;
        }
        try {
          onLate(value);
        } catch {
          // Closing what nobody uses may fail; it must not become an unhandled rejection.
        }
      },
      (error: unknown) => {
        // After the limit nobody waits for it any more: the rejection ends here.
        if (waiting) done({ kind: "failed", error });
      },
    );
  });
}
