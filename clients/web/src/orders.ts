// Sending orders: each command (move, attack, stop, the economy's build, train and cancel,
// shared vision's share and revoke, the social layer's chat and alliance commands, and its friend
// and mail commands, protocol/SPEC.md §18-22) gets a sequence number from the CommandLog, with a
// label naming it for the notice that shows its rejection, and goes out on the session's stream.
// A command the wire cannot carry (a chat text over 512 bytes, a mail over 2000) is not sent.

import type { CommandLog } from "./commands";
import type { AxialHex } from "./hex";
import {
  ALLIANCE_ROLE_NAMES,
  ChatChannel,
  ENTITY_KIND_NAMES,
  type Command,
  addFriendCommand,
  buildCommand,
  cancelCommand,
  chatCommand,
  commandUnit,
  createAllianceCommand,
  deleteMailCommand,
  inviteToAllianceCommand,
  joinAllianceCommand,
  kickFromAllianceCommand,
  leaveAllianceCommand,
  privateChatCommand,
  removeFriendCommand,
  revokeVisionCommand,
  sendMailCommand,
  setAllianceRoleCommand,
  shareVisionCommand,
  trainCommand,
} from "./protocol";

/** What orders need: the command log, the session, the clock and recipe names. */
export interface OrdersDeps {
  commands: CommandLog;
  /** Sends `command` numbered `seq`; false when not connected. */
  send(seq: number, command: Command): boolean;
  now(): number;
  /** A recipe's name by id, or null if the catalog has no such recipe. */
  recipeName(id: number): string | null;
}

/** The name of an entity kind for messages ("metal field"). */
export function kindName(kind: number): string {
  return (ENTITY_KIND_NAMES[kind] ?? `kind ${kind}`).replace(/_/g, " ");
}

/** Sends the client's commands; every method returns whether the command was sent. */
export class Orders {
  constructor(private readonly deps: OrdersDeps) {}

  move(unit: number, to: AxialHex): boolean {
    return this.send({ type: "move", unit, to: { q: to.q, r: to.r } }, to, `move #${unit}`);
  }

  attack(unit: number, target: number): boolean {
    return this.send({ type: "attack", unit, target }, null, `attack #${target} with #${unit}`);
  }

  stop(unit: number): boolean {
    return this.send({ type: "stop", unit }, null, `stop #${unit}`);
  }

  /** `unit` builds a building of `kind` at `at`. */
  build(unit: number, kind: number, at: AxialHex): boolean {
    return this.send(buildCommand(unit, kind, at), null, `build ${kindName(kind)} at ${at.q},${at.r}`);
  }

  /** Queues `recipe` in `building` (again on each completion if `repeat`). */
  train(building: number, recipe: number, repeat = false): boolean {
    const name = this.deps.recipeName(recipe) ?? `recipe ${recipe}`;
    return this.send(trainCommand(building, recipe, repeat), null, `${name} at #${building}`);
  }

  /** Cancels job `job` of `building`. */
  cancel(building: number, job: number): boolean {
    return this.send(cancelCommand(building, job), null, `cancel job ${job} at #${building}`);
  }

  /** Shares our vision with empire `to`. */
  shareVision(to: number): boolean {
    return this.send(shareVisionCommand(to), null, `share vision with empire ${to}`);
  }

  /** Stops sharing our vision with empire `to`. */
  revokeVision(to: number): boolean {
    return this.send(revokeVisionCommand(to), null, `revoke vision of empire ${to}`);
  }

  /**
   * Says `text` on `channel` (a ChatChannel code); `to` is the user id a private message goes
   * to (required on the Private channel, ignored on the others).
   */
  chat(channel: number, text: string, to?: number): boolean {
    if (channel === ChatChannel.Private) {
      if (to === undefined) return false;
      return this.send(privateChatCommand(to, text), null, `private message to user ${to}`);
    }
    if (channel !== ChatChannel.Region && channel !== ChatChannel.Alliance) return false;
    return this.send(chatCommand(channel, text), null, channel === ChatChannel.Region ? "region chat" : "alliance chat");
  }

  /** Founds an alliance named `name`, led by us. */
  createAlliance(name: string): boolean {
    return this.send(createAllianceCommand(name), null, `create alliance ${name}`);
  }

  /** Invites empire `empire` to our alliance. */
  inviteToAlliance(empire: number): boolean {
    return this.send(inviteToAllianceCommand(empire), null, `invite empire ${empire}`);
  }

  /** Accepts the invitation to alliance `alliance`. */
  joinAlliance(alliance: number): boolean {
    return this.send(joinAllianceCommand(alliance), null, `join alliance ${alliance}`);
  }

  /** Leaves our alliance. */
  leaveAlliance(): boolean {
    return this.send(leaveAllianceCommand(), null, "leave the alliance");
  }

  /** Removes empire `empire` from our alliance (or withdraws its invitation). */
  kickFromAlliance(empire: number): boolean {
    return this.send(kickFromAllianceCommand(empire), null, `remove empire ${empire} from the alliance`);
  }

  /** Gives member `empire` the role `role` (an AllianceRole code; Leader hands the lead over). */
  setAllianceRole(empire: number, role: number): boolean {
    const name = ALLIANCE_ROLE_NAMES[role] ?? `role ${role}`;
    return this.send(setAllianceRoleCommand(empire, role), null, `make empire ${empire} ${name}`);
  }

  /** Asks player `user` (a user id) to be friends, or accepts its request. */
  addFriend(user: number): boolean {
    return this.send(addFriendCommand(user), null, `befriend user ${user}`);
  }

  /** Ends the friendship with `user`, or withdraws or declines a request. */
  removeFriend(user: number): boolean {
    return this.send(removeFriendCommand(user), null, `unfriend user ${user}`);
  }

  /** Mails `text` (line breaks allowed) to player `to` (a user id). */
  sendMail(to: number, text: string): boolean {
    return this.send(sendMailCommand(to, text), null, `mail to user ${to}`);
  }

  /** Deletes mail `id` from our mailbox. */
  deleteMail(id: number): boolean {
    return this.send(deleteMailCommand(id), null, `delete mail ${id}`);
  }

  private send(command: Command, to: AxialHex | null, label: string): boolean {
    const { commands } = this.deps;
    const cmd = commands.begin(commandUnit(command), to, this.deps.now(), label);
    let sent: boolean;
    try {
      sent = this.deps.send(cmd.seq, command);
    } catch (err) {
      // The encoder refuses what the wire cannot carry (a text over its byte limit, a bad id).
      if (!(err instanceof RangeError)) throw err;
      sent = false;
    }
    if (sent) return true;
    commands.abandon(cmd.seq);
    return false;
  }
}
