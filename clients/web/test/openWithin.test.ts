import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openWithin } from "../src/openWithin";
import { watchUnhandled } from "./unhandled";

/** A promise settled from outside. */
function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("openWithin", () => {
  beforeEach(() => {
    // setImmediate stays real: watchUnhandled waits on it.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives the value when it opens within the limit, and clears its timer", async () => {
    const d = deferred<string>();
    const late = vi.fn();
    const result = openWithin(d.promise, 2_000, late);
    await vi.advanceTimersByTimeAsync(1_999);
    d.resolve("stream");
    expect(await result).toEqual({ kind: "opened", value: "stream" });
    expect(vi.getTimerCount()).toBe(0);
    expect(late).not.toHaveBeenCalled();
  });

  it("gives the error when it fails within the limit", async () => {
    const d = deferred<string>();
    const result = openWithin(d.promise, 2_000, () => undefined);
    const err = new Error("refused");
    d.reject(err);
    expect(await result).toEqual({ kind: "failed", error: err });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("expires at the limit, then hands a late value to onLate", async () => {
    const d = deferred<string>();
    const late = vi.fn();
    const result = openWithin(d.promise, 2_000, late);
    let settled = false;
    void result.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toEqual({ kind: "expired" });
    expect(late).not.toHaveBeenCalled();
    d.resolve("late stream");
    await vi.advanceTimersByTimeAsync(0);
    expect(late).toHaveBeenCalledExactlyOnceWith("late stream");
  });

  it("a late rejection of an abandoned opening is no unhandled rejection", async () => {
    const watch = watchUnhandled();
    const d = deferred<string>();
    const late = vi.fn();
    const result = openWithin(d.promise, 2_000, late);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await result).toEqual({ kind: "expired" });
    d.reject(new Error("handshake failed after the fallback"));
    expect(await watch.stop()).toEqual([]);
    expect(late).not.toHaveBeenCalled();
  });

  it("an onLate that throws is no unhandled rejection either", async () => {
    const watch = watchUnhandled();
    const d = deferred<string>();
    const result = openWithin(d.promise, 10, () => {
      throw new Error("close failed");
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(await result).toEqual({ kind: "expired" });
    d.resolve("late");
    expect(await watch.stop()).toEqual([]);
  });

  it("without a limit waits as long as it takes", async () => {
    const d = deferred<number>();
    const result = openWithin(d.promise, null, () => undefined);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    d.resolve(7);
    expect(await result).toEqual({ kind: "opened", value: 7 });
  });
});
