//! Applying the tick's player operations (SPEC.md §22) to the store: the database worker
//! runs them in the order the tick handed them out, and headless tests run them the same way.

use super::msg::RuntimeMsg;
use super::persist::{Store, StoreError};
use crate::world::TickInput;
use crate::world::social::{
    PlayerLimits, PlayerOp, PlayerOpDone, PlayerOpOutcome, PlayerOpRequest,
};
use starlane_protocol::CommandError;
use tokio::sync::mpsc;

/// Apply the tick's operations in order, each outcome back to the tick, until either side
/// goes away. A task of its own, so that a slow snapshot write never holds up a mail.
pub(crate) async fn serve(
    store: Store,
    region: String,
    limits: PlayerLimits,
    mut ops: mpsc::Receiver<PlayerOpRequest>,
    tick: mpsc::Sender<RuntimeMsg>,
) {
    while let Some(request) = ops.recv().await {
        let outcome = apply(&store, &request.op, &region, limits).await;
        let done = PlayerOpDone {
            answer: request.answer,
            outcome,
        };
        if tick
            .send(RuntimeMsg::Input(TickInput::PlayerOp(done)))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Apply `op` for `region` under `limits`. A database failure changes nothing and answers
/// `RateLimited` (the client may send the command again; it is not recorded as applied).
pub async fn apply(
    store: &Store,
    op: &PlayerOp,
    region: &str,
    limits: PlayerLimits,
) -> PlayerOpOutcome {
    match run(store, op, region, limits).await {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::warn!(error = %e, ?op, "player operation failed");
            PlayerOpOutcome::answer(Err(CommandError::RateLimited))
        }
    }
}

async fn run(
    store: &Store,
    op: &PlayerOp,
    region: &str,
    limits: PlayerLimits,
) -> Result<PlayerOpOutcome, StoreError> {
    match op {
        PlayerOp::AddFriend { user, friend } => store.add_friend(*user, *friend, limits).await,
        PlayerOp::RemoveFriend { user, friend } => store.remove_friend(*user, *friend).await,
        PlayerOp::SendMail { from, to, text } => store.send_mail(*from, *to, text, limits).await,
        PlayerOp::DeleteMail { user, id } => store.delete_mail(*user, *id).await,
        PlayerOp::Greet { user } => store.greeting(*user, limits).await,
        PlayerOp::Presence { user, presence } => store.set_presence(*user, *presence, region).await,
    }
}
