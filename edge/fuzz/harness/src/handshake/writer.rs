//! [`OpWriter`]: operations in the byte layout [`Op::read`](super::Op::read) reads, for the
//! seed generator and tests.

use crate::input::InputWriter;

/// Writes operations in the layout [`Op::read`](super::Op::read) reads.
#[derive(Debug, Default, Clone)]
pub struct OpWriter {
    w: InputWriter,
}

impl OpWriter {
    /// No operations yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// [`super::Op::Raw`].
    pub fn raw(&mut self, source: u8, datagram: &[u8]) -> &mut Self {
        self.w.u8(0).u8(source).blob(datagram);
        self
    }

    /// [`super::Op::ToServer`], unmodified.
    pub fn to_server(&mut self, client: u8) -> &mut Self {
        self.w.u8(1).u8(client).u8(0).u8(0);
        self
    }

    /// [`super::Op::ToServer`] with one bit flipped.
    pub fn to_server_flipped(&mut self, client: u8, bit: u16) -> &mut Self {
        self.w.u8(1).u8(client).u8(0).u8(1).u16(bit);
        self
    }

    /// [`super::Op::ToClient`], unmodified.
    pub fn to_client(&mut self, client: u8) -> &mut Self {
        self.w.u8(2).u8(client).u8(0).u8(0);
        self
    }

    /// [`super::Op::ToClient`] with one bit flipped.
    pub fn to_client_flipped(&mut self, client: u8, bit: u16) -> &mut Self {
        self.w.u8(2).u8(client).u8(0).u8(1).u16(bit);
        self
    }

    /// [`super::Op::ToClient`] cut to `len` bytes.
    pub fn to_client_truncated(&mut self, client: u8, len: u16) -> &mut Self {
        self.w.u8(2).u8(client).u8(0).u8(2).u16(len);
        self
    }

    /// [`super::Op::Replay`].
    pub fn replay(&mut self, index: u8, to_server: bool, source: u8) -> &mut Self {
        self.w.u8(3).u8(index).u8(u8::from(to_server)).u8(source);
        self
    }

    /// [`super::Op::Advance`].
    pub fn advance(&mut self, millis: u16) -> &mut Self {
        self.w.u8(4).u16(millis);
        self
    }

    /// [`super::Op::ClientSend`].
    pub fn client_send(&mut self, client: u8, reliable: bool, body: &[u8]) -> &mut Self {
        self.w.u8(5).u8(client).u8(u8::from(reliable)).blob(body);
        self
    }

    /// [`super::Op::ServerSend`].
    pub fn server_send(&mut self, client: u8, reliable: bool, body: &[u8]) -> &mut Self {
        self.w.u8(6).u8(client).u8(u8::from(reliable)).blob(body);
        self
    }

    /// [`super::Op::Close`].
    pub fn close(&mut self, client: u8, by_server: bool, code: u8) -> &mut Self {
        self.w.u8(7).u8(client).u8(u8::from(by_server)).u8(code);
        self
    }

    /// [`super::Op::Restart`].
    pub fn restart(&mut self, client: u8) -> &mut Self {
        self.w.u8(8).u8(client);
        self
    }

    /// [`super::Op::Lose`].
    pub fn lose(&mut self, client: u8, to_server: bool) -> &mut Self {
        self.w.u8(9).u8(client).u8(u8::from(to_server));
        self
    }

    /// [`super::Op::Flush`].
    pub fn flush(&mut self) -> &mut Self {
        self.w.u8(10);
        self
    }

    /// [`super::Op::Rebind`].
    pub fn rebind(&mut self, client: u8, to: u8) -> &mut Self {
        self.w.u8(11).u8(client).u8(to);
        self
    }

    /// The bytes written.
    pub fn finish(&self) -> Vec<u8> {
        self.w.finish()
    }
}
