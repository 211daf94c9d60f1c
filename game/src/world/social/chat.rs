//! Chat (SPEC.md §21.1): an accepted `Chat` command becomes a [`ChatPost`] for the cluster's
//! message bus; every region delivers each post it receives to its own sessions that read it.
//! With no cluster (the all-in-one server, headless tests) the bus is this region: posts go
//! straight from [`ChatOutbox`] to [`ChatInbox`] in the tick they are sent.

use super::SocialSettings;
use super::alliances::{Alliances, text_error};
use crate::world::io::Outbox;
use crate::world::sessions::{SessionState, Sessions};
use bevy_ecs::prelude::*;
use starlane_cluster::{ChatPost, ChatScope};
use starlane_protocol::link::LinkServerMsg;
use starlane_protocol::social::{ChatChannel, ChatMessage, ChatTo, SocialMsg, check_text};
use starlane_protocol::{CommandError, EmpireId};

/// Where accepted chat goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatRelay {
    /// Delivered by this region, in the tick it is sent.
    Local,
    /// Published on the cluster's bus by the runtime ([`ChatOutbox`]); delivered when it comes
    /// back ([`ChatInbox`]), here and in every other region.
    Cluster,
}

/// Accepted chat waiting to be published.
#[derive(Resource, Debug, Default)]
pub struct ChatOutbox(pub Vec<ChatPost>);

/// Chat from the bus waiting to be delivered to this region's sessions.
#[derive(Resource, Debug, Default)]
pub struct ChatInbox(pub Vec<ChatPost>);

/// Chat counters (`starlane_region_chat_*`).
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct ChatCounters {
    /// Chat commands accepted.
    pub sent: u64,
    /// Posts received from the bus.
    pub received: u64,
    /// Messages handed to sessions.
    pub delivered: u64,
}

/// Check a chat command (SPEC.md §21.1) and make its post.
pub(crate) fn chat_post(
    settings: &SocialSettings,
    alliances: &Alliances,
    sender: (EmpireId, u64, &str),
    to: ChatTo,
    text: &str,
) -> Result<ChatPost, CommandError> {
    let (empire, user, name) = sender;
    check_text(text, settings.chat_max_bytes, false).map_err(text_error)?;
    let (scope, alliance, to) = match to {
        ChatTo::Region => (ChatScope::Region, 0, 0),
        ChatTo::Alliance => (
            ChatScope::Alliance,
            alliances
                .alliance_of(empire)
                .ok_or(CommandError::NotInAlliance)?,
            0,
        ),
        ChatTo::Player(user) => (ChatScope::Private, 0, user),
    };
    Ok(ChatPost {
        region: settings.region.clone(),
        scope,
        alliance,
        from: user,
        from_name: name.to_owned(),
        to,
        text: text.to_owned(),
    })
}

/// Whether the session reads `post`.
fn reads(
    settings: &SocialSettings,
    alliances: &Alliances,
    s: &SessionState,
    post: &ChatPost,
) -> bool {
    match post.scope {
        ChatScope::Region => post.region == settings.region,
        ChatScope::Alliance => {
            post.region == settings.region && alliances.alliance_of(s.empire) == Some(post.alliance)
        }
        ChatScope::Private => {
            let user = u64::try_from(s.user_id).ok();
            user == Some(post.to) || user == Some(post.from)
        }
    }
}

fn message(post: &ChatPost) -> SocialMsg {
    let channel = match post.scope {
        ChatScope::Region => ChatChannel::Region,
        ChatScope::Alliance => ChatChannel::Alliance,
        ChatScope::Private => ChatChannel::Private,
    };
    SocialMsg::Chat(ChatMessage {
        channel,
        from: post.from,
        from_name: post.from_name.clone(),
        to: post.to,
        text: post.text.clone(),
    })
}

/// Deliver the posts from the bus (or, in process, the tick's own) to the sessions that read
/// them. Membership is taken now: a member removed before a post arrives does not read it.
pub(super) fn deliver_chat(
    settings: Res<SocialSettings>,
    (mut inbox, mut sent): (ResMut<ChatInbox>, ResMut<ChatOutbox>),
    sessions: Res<Sessions>,
    alliances: Res<Alliances>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<ChatCounters>,
) {
    if settings.relay == ChatRelay::Local {
        inbox.0.append(&mut sent.0);
    }
    if inbox.0.is_empty() {
        return;
    }
    for post in inbox.0.drain(..) {
        counters.received += 1;
        let msg = message(&post);
        for (key, s) in &sessions.map {
            if reads(&settings, &alliances, s, &post) {
                counters.delivered += 1;
                outbox
                    .sessions
                    .entry(*key)
                    .or_default()
                    .push(LinkServerMsg::Social(msg.clone()));
            }
        }
    }
}
