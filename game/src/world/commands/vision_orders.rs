//! The shared-vision commands (SPEC.md §20.2), in one system so that shares and revocations
//! of a tick apply in arrival order: each is checked in the SPEC's order and applied to
//! [`Grants`], which the vision stage of the same tick takes up. Neither command names an
//! entity, and neither checks that the empire it names exists, so an answer tells the sender
//! nothing about other empires.

use super::orders::{GrantOrders, Replies};
use crate::world::sharing::{Grants, SharingSettings};
use bevy_ecs::prelude::*;

/// Validate each share or revocation and begin or end its grant.
pub(super) fn apply_grants(
    mut orders: ResMut<GrantOrders>,
    mut grants: ResMut<Grants>,
    settings: Res<SharingSettings>,
    mut replies: ResMut<Replies>,
) {
    for (order, to, share) in orders.0.drain(..) {
        let result = if share {
            grants
                .check_share(order.empire, to, settings.max_grants)
                .map(|new| {
                    if new {
                        grants.set(order.empire, to, true, true);
                    }
                })
        } else {
            grants
                .check_revoke(order.empire, to)
                .map(|()| grants.set(order.empire, to, false, true))
        };
        replies.0.push(order.reply(result));
    }
}
