import { describe, expect, it } from "vitest";
import { CommandLog } from "../src/commands";
import { Orders, kindName } from "../src/orders";
import type { Command } from "../src/protocol";

function setup(connected = true) {
  const commands = new CommandLog();
  const sent: [number, Command][] = [];
  const orders = new Orders({
    commands,
    send: (seq, command) => {
      if (connected) sent.push([seq, command]);
      return connected;
    },
    now: () => 0,
    recipeName: (id) => (id === 8 ? "train_scout" : null),
  });
  return { commands, sent, orders };
}

describe("Orders", () => {
  it("numbers the economy's commands and labels them for rejection notices", () => {
    const { commands, sent, orders } = setup();
    expect(orders.train(10, 8, true)).toBe(true);
    expect(orders.cancel(10, 2)).toBe(true);
    expect(orders.build(3, 4, { q: 1, r: -2 })).toBe(true);
    expect(orders.train(10, 99)).toBe(true);
    expect(sent).toEqual([
      [1, { type: "train", building: 10, recipe: 8, repeat: true }],
      [2, { type: "cancel", building: 10, job: 2 }],
      [3, { type: "build", unit: 3, kind: 4, at: { q: 1, r: -2 } }],
      [4, { type: "train", building: 10, recipe: 99, repeat: false }],
    ]);
    expect(commands.reject(1, 13, 5)?.label).toBe("train_scout at #10");
    expect(commands.reject(2, 15, 5)?.label).toBe("cancel job 2 at #10");
    expect(commands.reject(3, 16, 5)?.label).toBe("build shipyard at 1,-2");
    expect(commands.reject(4, 11, 5)).toMatchObject({ unit: 10, label: "recipe 99 at #10" });
    expect(commands.last).toEqual({ seq: 4, ok: false, error: "unknown recipe" });
  });

  it("moves, attacks and stops as before; nothing stays pending when not connected", () => {
    const { commands, sent, orders } = setup(false);
    expect(orders.move(1, { q: 2, r: 3 })).toBe(false);
    expect(orders.attack(1, 2)).toBe(false);
    expect(orders.stop(1)).toBe(false);
    expect(sent).toEqual([]);
    expect(commands.outstanding).toBe(0);
    const ok = setup();
    ok.orders.move(1, { q: 2, r: 3 });
    expect(ok.commands.ack(1, 0)).toMatchObject({ unit: 1, to: { q: 2, r: 3 }, label: "move #1" });
  });

  it("shares and revokes vision, commands about an empire rather than a unit", () => {
    const { commands, sent, orders } = setup();
    expect(orders.shareVision(5)).toBe(true);
    expect(orders.revokeVision(6)).toBe(true);
    expect(sent).toEqual([
      [1, { type: "shareVision", to: 5 }],
      [2, { type: "revokeVision", to: 6 }],
    ]);
    expect(commands.reject(1, 19, 5)).toMatchObject({ unit: null, label: "share vision with empire 5" });
    expect(commands.last).toEqual({ seq: 1, ok: false, error: "too many vision grants" });
    expect(commands.reject(2, 20, 5)).toMatchObject({ unit: null, label: "revoke vision of empire 6" });
    expect(commands.last).toEqual({ seq: 2, ok: false, error: "vision not shared" });
    const offline = setup(false);
    expect(offline.orders.shareVision(5)).toBe(false);
    expect(offline.commands.outstanding).toBe(0);
  });

  it("names entity kinds in words", () => {
    expect(kindName(5)).toBe("metal field");
    expect(kindName(2)).toBe("station");
    expect(kindName(42)).toBe("kind 42");
  });
});
