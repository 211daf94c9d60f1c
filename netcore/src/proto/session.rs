//! The AEAD session that follows the handshake.
//!
//! A session packet is `[type][cid][counter u64 LE][AES-256-GCM(key, nonce, body)][tag 16]`
//! with the 12-byte nonce `00 00 00 00 || counter (u64 BE)` (Noise's AESGCM nonce) and the
//! header (type, connection ID, counter) as associated data, so none of it can be changed in
//! flight. The connection ID is the receiver's: 8 bytes in packets to the server, none in
//! packets to the client. Each direction has its own key (Noise `Split()`) and its own counter
//! starting at 0.

use crate::proto::drops::DropReason;
use crate::proto::packet::{
    CID_LEN, MAX_DATAGRAM, MAX_SESSION_BODY, PacketType, SESSION_HEADER_CID_LEN,
    SESSION_HEADER_LEN, TAG_LEN,
};
use crate::proto::replay::{ReplayError, ReplayWindow};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroize;

/// Error sealing a session packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("body of {0} bytes exceeds the session packet limit")]
    TooLarge(usize),
    #[error("packet type is not a session type")]
    NotSessionType,
    #[error("send counter exhausted")]
    Exhausted,
    #[error("the session is closed")]
    Closed,
    #[error("encryption failed")]
    Crypto,
}

/// Error opening a session packet; the packet is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("packet too short")]
    TooShort,
    #[error("packet too large")]
    Oversized,
    #[error("not a session packet")]
    NotSessionType,
    #[error("replayed counter")]
    Replayed,
    #[error("counter too old")]
    TooOld,
    #[error("authentication failed")]
    Decrypt,
    #[error("connection id is not this session's")]
    UnknownConnection,
}

impl OpenError {
    /// The drop counter this error increments.
    pub fn reason(self) -> DropReason {
        match self {
            Self::TooShort => DropReason::TooShort,
            Self::Oversized => DropReason::Oversized,
            Self::NotSessionType => DropReason::UnexpectedType,
            Self::Replayed => DropReason::Replayed,
            Self::TooOld => DropReason::TooOld,
            Self::Decrypt => DropReason::Decrypt,
            Self::UnknownConnection => DropReason::UnknownPeer,
        }
    }
}

impl From<ReplayError> for OpenError {
    fn from(e: ReplayError) -> Self {
        match e {
            ReplayError::Replayed => Self::Replayed,
            ReplayError::TooOld => Self::TooOld,
        }
    }
}

/// An authenticated session packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// [`PacketType::Data`] or [`PacketType::Disconnect`].
    pub kind: PacketType,
    /// The packet's counter.
    pub counter: u64,
    /// The authenticated body.
    pub body: Vec<u8>,
}

/// Keys and counters of one established session.
///
/// The raw traffic keys only exist while the two AEAD keys are built from them and are wiped
/// at once; [`Session::wipe`] (also run on drop) releases the keys and zeroes the counters.
pub struct Session {
    keys: Option<(LessSafeKey, LessSafeKey)>,
    next_send: u64,
    replay: ReplayWindow,
    /// The peer's connection ID, written into every packet sent (a client: the server's).
    send_cid: Option<[u8; CID_LEN]>,
    /// Our connection ID, which every packet received must carry (a server: its own).
    recv_cid: Option<[u8; CID_LEN]>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("next_send", &self.next_send)
            .field("open", &self.keys.is_some())
            .finish_non_exhaustive()
    }
}

fn nonce(counter: u64) -> Nonce {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&counter.to_be_bytes());
    Nonce::assume_unique_for_key(n)
}

/// `type || cid || counter`, with or without the connection ID.
fn header(kind: PacketType, cid: Option<&[u8; CID_LEN]>, counter: u64) -> Vec<u8> {
    let mut h = Vec::with_capacity(SESSION_HEADER_CID_LEN);
    h.push(kind as u8);
    if let Some(cid) = cid {
        h.extend_from_slice(cid);
    }
    h.extend_from_slice(&counter.to_le_bytes());
    h
}

impl Session {
    /// A session from the raw send and receive keys of a finished handshake. The arrays are
    /// wiped before this returns.
    pub fn new(send: &mut [u8; 32], recv: &mut [u8; 32]) -> Option<Self> {
        let keys = UnboundKey::new(&AES_256_GCM, send)
            .ok()
            .zip(UnboundKey::new(&AES_256_GCM, recv).ok())
            .map(|(s, r)| (LessSafeKey::new(s), LessSafeKey::new(r)));
        send.zeroize();
        recv.zeroize();
        Some(Self {
            keys: Some(keys?),
            next_send: 0,
            replay: ReplayWindow::default(),
            send_cid: None,
            recv_cid: None,
        })
    }

    /// Set the connection IDs: `send` is written into every packet sent (the server's ID, at
    /// a client), `recv` must be in every packet received (the server's own ID, at a server).
    pub fn with_connection_ids(
        mut self,
        send: Option<[u8; CID_LEN]>,
        recv: Option<[u8; CID_LEN]>,
    ) -> Self {
        self.send_cid = send;
        self.recv_cid = recv;
        self
    }

    /// Bytes a sealed packet adds around its body.
    pub fn overhead(&self) -> usize {
        self.send_cid.map_or(0, |c| c.len()) + SESSION_HEADER_LEN + TAG_LEN
    }

    /// Whether the keys are still held.
    pub fn is_open(&self) -> bool {
        self.keys.is_some()
    }

    /// Packets sealed so far (the next send counter).
    pub fn sent(&self) -> u64 {
        self.next_send
    }

    /// Drop the keys and zero the counters; every later seal or open fails.
    pub fn wipe(&mut self) {
        self.keys = None;
        self.next_send.zeroize();
        self.replay = ReplayWindow::default();
    }

    /// Encrypt `body` as a packet of type `kind`.
    pub fn seal(&mut self, kind: PacketType, body: &[u8]) -> Result<Vec<u8>, SealError> {
        if !kind.is_session() {
            return Err(SealError::NotSessionType);
        }
        if body.len() > MAX_SESSION_BODY {
            return Err(SealError::TooLarge(body.len()));
        }
        let Some((send, _)) = self.keys.as_ref() else {
            return Err(SealError::Closed);
        };
        if self.next_send == u64::MAX {
            return Err(SealError::Exhausted);
        }
        let counter = self.next_send;
        let head = header(kind, self.send_cid.as_ref(), counter);
        let mut out = Vec::with_capacity(head.len() + body.len() + TAG_LEN);
        out.extend_from_slice(&head);
        out.extend_from_slice(body);
        let (_, plain) = out.split_at_mut(head.len());
        let tag = send
            .seal_in_place_separate_tag(nonce(counter), Aad::from(&head[..]), plain)
            .map_err(|_| SealError::Crypto)?;
        out.extend_from_slice(tag.as_ref());
        self.next_send += 1;
        Ok(out)
    }

    /// Authenticate and decrypt a session packet; replays and forgeries are refused and
    /// never move the replay window.
    pub fn open(&mut self, datagram: &[u8]) -> Result<Opened, OpenError> {
        if datagram.len() > MAX_DATAGRAM {
            return Err(OpenError::Oversized);
        }
        let kind = datagram
            .first()
            .copied()
            .and_then(PacketType::from_byte)
            .filter(|k| k.is_session())
            .ok_or(OpenError::NotSessionType)?;
        let head_len = SESSION_HEADER_LEN + self.recv_cid.map_or(0, |c| c.len());
        if datagram.len() < head_len + TAG_LEN {
            return Err(OpenError::TooShort);
        }
        let (head, sealed) = datagram.split_at(head_len);
        if let Some(cid) = &self.recv_cid
            && head.get(1..1 + CID_LEN) != Some(&cid[..])
        {
            return Err(OpenError::UnknownConnection);
        }
        let counter_bytes: [u8; 8] = head
            .get(head_len - 8..)
            .and_then(|b| b.try_into().ok())
            .ok_or(OpenError::TooShort)?;
        let counter = u64::from_le_bytes(counter_bytes);
        self.replay.check(counter)?;
        let Some((_, recv)) = self.keys.as_ref() else {
            return Err(OpenError::Decrypt);
        };
        let mut buf = sealed.to_vec();
        let n = recv
            .open_in_place(nonce(counter), Aad::from(head), &mut buf)
            .map_err(|_| OpenError::Decrypt)?
            .len();
        buf.truncate(n);
        self.replay.accept(counter)?;
        Ok(Opened {
            kind,
            counter,
            body: buf,
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.wipe();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Session, Session) {
        let (k1, k2) = ([1u8; 32], [2u8; 32]);
        let a = Session::new(&mut k1.clone(), &mut k2.clone()).expect("valid keys");
        let b = Session::new(&mut k2.clone(), &mut k1.clone()).expect("valid keys");
        (a, b)
    }

    #[test]
    fn seal_open_replay_tamper_and_wipe() {
        let (mut a, mut b) = pair();
        let p = a.seal(PacketType::Data, b"hi").expect("open session");
        assert_eq!(p.len(), SESSION_HEADER_LEN + 2 + TAG_LEN);
        let o = b.open(&p).expect("authentic");
        assert_eq!(
            (o.kind, o.counter, o.body.as_slice()),
            (PacketType::Data, 0, &b"hi"[..])
        );
        assert_eq!(b.open(&p), Err(OpenError::Replayed));
        let mut t = a.seal(PacketType::Data, b"yo").expect("open session");
        t[0] = PacketType::Disconnect as u8;
        assert_eq!(
            b.open(&t),
            Err(OpenError::Decrypt),
            "the type byte is authenticated"
        );
        t[0] = PacketType::Data as u8;
        t[3] ^= 1;
        assert_eq!(
            b.open(&t),
            Err(OpenError::Decrypt),
            "the counter is authenticated"
        );
        a.wipe();
        assert_eq!(a.seal(PacketType::Data, b"x"), Err(SealError::Closed));
        assert!(!a.is_open());
    }

    #[test]
    fn the_last_counter_is_never_used() {
        let (mut a, mut b) = pair();
        a.next_send = u64::MAX - 1;
        let p = a
            .seal(PacketType::Data, b"last")
            .expect("counter 2^64 - 2 is usable");
        assert_eq!(b.open(&p).map(|o| o.counter), Ok(u64::MAX - 1));
        assert_eq!(a.seal(PacketType::Data, b"x"), Err(SealError::Exhausted));
        assert_eq!(a.sent(), u64::MAX, "the counter stays at its limit");
    }

    #[test]
    fn keys_are_wiped_after_use() {
        let (mut s, mut r) = ([9u8; 32], [8u8; 32]);
        let _session = Session::new(&mut s, &mut r).expect("valid keys");
        assert_eq!((s, r), ([0u8; 32], [0u8; 32]));
    }
}
