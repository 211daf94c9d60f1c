// What the friends panel shows (pure; friendsPanel.ts draws it): our friends with their presence,
// the requests either way with what we may do about each (accept one made to us; remove a
// friend, decline a request or withdraw ours), the panel's title, and what is wrong with a user id
// typed into the add form (protocol/SPEC.md §22.1, §22.3). The region decides; names are data,
// which the panel sets with textContent only.

import { parseUserId } from "./chatView";
import { FRIEND_STATE_NAMES, FriendState, PRESENCE_NAMES, Presence } from "./protocol";
import type { SocialState } from "./socialModel";

/** The name of a FriendState code ("requested", "asked", "friends"). */
export function friendStateName(state: number): string {
  return FRIEND_STATE_NAMES[state] ?? `state ${state}`;
}

/** The name of a Presence code ("offline", "online", "in game"). */
export function presenceName(presence: number): string {
  return PRESENCE_NAMES[presence] ?? `presence ${presence}`;
}

/** A CSS-friendly name of a Presence code ("offline", "online", "in-game"). */
export function presenceClass(presence: number): string {
  return presenceName(presence).replace(/ /g, "-");
}

/** One friend or request as the panel lists it. */
export interface FriendRow {
  user: number;
  /** Its name ("user N" when it has none). */
  name: string;
  /** A FriendState code (Requested, Asked or Friends). */
  state: number;
  /** The state as shown: "requested" (we asked), "asked" (it asked us), "friends". */
  stateLabel: string;
  /** A Presence code for a friend; null for a request (a request's presence is not told). */
  presence: number | null;
  /** Whether an accept button shows (it asked us). */
  canAccept: boolean;
  /** Whether a mail button shows (a friend: write to it). */
  canMail: boolean;
  /** The remove button's label: "remove" a friend, "decline" its request, "withdraw" ours. */
  removeLabel: "remove" | "decline" | "withdraw";
}

/** The panel's content. */
export interface FriendsModel {
  /** Requests to answer first, then friends (in game, online, offline), then our requests. */
  rows: FriendRow[];
  /** Friends (state Friends). */
  friends: number;
  /** Friends online or in game. */
  online: number;
  /** Requests waiting on our answer (state Asked). */
  asked: number;
}

/** The panel for the player of user id `me` (null before the Welcome: no panel) with social state `s`. */
export function friendsModel(s: SocialState, me: number | null): FriendsModel | null {
  if (me === null) return null;
  let friends = 0;
  let online = 0;
  let asked = 0;
  const rows = s.sortedFriends().map((f): FriendRow => {
    const isFriend = f.state === FriendState.Friends;
    if (isFriend) {
      friends++;
      if (f.presence !== Presence.Offline) online++;
    }
    if (f.state === FriendState.Asked) asked++;
    return {
      user: f.user,
      name: f.name !== "" ? f.name : `user ${f.user}`,
      state: f.state,
      stateLabel: friendStateName(f.state),
      presence: isFriend ? f.presence : null,
      canAccept: f.state === FriendState.Asked,
      canMail: isFriend,
      removeLabel: isFriend ? "remove" : f.state === FriendState.Asked ? "decline" : "withdraw",
    };
  });
  return { rows, friends, online, asked };
}

/** The panel's title: "friends 1/2 online · 1 request". */
export function friendsTitle(m: FriendsModel): string {
  const requests = m.asked === 0 ? "" : ` · ${m.asked} request${m.asked === 1 ? "" : "s"}`;
  return `friends ${m.online}/${m.friends} online${requests}`;
}

/**
 * The user id typed into the add form, or what is wrong with it, for the player of user id `me`
 * (the region also refuses an unknown player, or ourselves, with UnknownPlayer).
 */
export function friendTarget(text: string, me: number | null): { user: number } | { problem: string } {
  const user = parseUserId(text);
  if (user === null) return { problem: "type the user id of the player to befriend" };
  if (user === me) return { problem: "that is your own user id" };
  return { user };
}
