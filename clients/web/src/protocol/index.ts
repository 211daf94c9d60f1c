// The Starlane client protocol: message types, codec and stream framing.
// Specified in protocol/SPEC.md; checked against protocol/vectors/*.json.

export * from "./types";
export { BitReader, BitWriter } from "./bits";
export { ackCovers } from "./delta";
export { buildCommand, cancelCommand, commandUnit, depositOf, isBuildingKind, trainCommand } from "./economy";
export { revokeVisionCommand, shareVisionCommand } from "./sharing";
export {
  chatCommand,
  createAllianceCommand,
  inviteToAllianceCommand,
  joinAllianceCommand,
  kickFromAllianceCommand,
  leaveAllianceCommand,
  privateChatCommand,
  setAllianceRoleCommand,
} from "./social";
export { addFriendCommand, deleteMailCommand, removeFriendCommand, sendMailCommand } from "./friends";
export { allowedChar, checkText, utf8Length, type TextProblem } from "./text";
export { decodeClientMsg, decodeServerMsg, encodeClientMsg, encodeServerMsg, zigzagDecode, zigzagEncode } from "./codec";
export { FrameError, FrameReader, frame } from "./framing";
