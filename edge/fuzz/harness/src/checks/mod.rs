//! The body of each decoder target: decode, never panic, and check the properties the specs
//! promise for whatever decodes. Kept out of `fuzz_targets/` so a crash input can also be
//! replayed from a unit test.

mod config;
mod link;
mod protocol;

pub use config::{bandwidth_profile, edge_config, game_config};
pub use link::link_frame;
pub use protocol::{client_msg, entity_packet};

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every file of `corpus/<target>` through its check (what the fuzzer replays first).
    fn replay(target: &str, check: fn(&[u8])) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../corpus")
            .join(target);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).expect("the corpus directory exists") {
            let path = entry.expect("a readable directory entry").path();
            check(&std::fs::read(&path).expect("a readable corpus file"));
            n += 1;
        }
        assert!(n > 0, "{} is empty", dir.display());
    }

    #[test]
    fn corpus_replays_cleanly() {
        replay("client_msg", super::client_msg);
        replay("entity_packet", super::entity_packet);
        replay("link_frame", super::link_frame);
        replay("edge_config", super::edge_config);
        replay("game_config", super::game_config);
        replay("bandwidth_profile", super::bandwidth_profile);
        replay("handshake_server", |d| {
            crate::handshake::Sim::run(crate::handshake::Focus::Server, d);
        });
        replay("handshake_client", |d| {
            crate::handshake::Sim::run(crate::handshake::Focus::Client, d);
        });
    }

    /// The handshake seeds reach what the targets are for: connections that carry traffic.
    #[test]
    fn handshake_seed_connects_and_talks() {
        use crate::handshake::{Focus, OpWriter, Sim};
        let mut w = OpWriter::new();
        w.flush().flush().flush().flush();
        w.client_send(0, true, b"up").server_send(0, false, b"down");
        w.flush().flush();
        for focus in [Focus::Server, Focus::Client] {
            let stats = Sim::run(focus, &w.finish());
            assert_eq!(stats.server_connected, 3, "every client connects");
            assert!(stats.server_delivered >= 1, "{stats:?}");
            assert!(stats.clients_delivered >= 1, "{stats:?}");
        }
    }

    /// A client that rebinds mid-session is moved by the server once its new path answers,
    /// and traffic goes on both ways at the new address: the targets reach `Migrated`.
    #[test]
    fn handshake_seed_roams() {
        use crate::handshake::{Focus, OpWriter, Sim};
        let connect = |w: &mut OpWriter| {
            w.flush().flush().flush().flush();
        };
        // Client 0 to a fresh address: data, challenge, response.
        let mut w = OpWriter::new();
        connect(&mut w);
        w.rebind(0, 7).client_send(0, true, b"from the new address");
        w.flush().flush().flush();
        w.server_send(0, true, b"to the new address").flush();
        for focus in [Focus::Server, Focus::Client] {
            let stats = Sim::run(focus, &w.finish());
            assert_eq!(stats.server_migrated, 1, "{stats:?}");
            assert_eq!(stats.server_delivered, 1, "{stats:?}");
            assert_eq!(stats.clients_delivered, 1, "{stats:?}");
        }
        // Without the response the connection stays where it was.
        let mut w = OpWriter::new();
        connect(&mut w);
        w.rebind(0, 7).client_send(0, true, b"from the new address");
        w.flush().lose(0, true).flush().advance(5000);
        let stats = Sim::run(Focus::Server, &w.finish());
        assert_eq!(stats.server_migrated, 0, "{stats:?}");
        // Onto client 1's address: its connection gives way.
        let mut w = OpWriter::new();
        connect(&mut w);
        w.rebind(0, 1)
            .client_send(0, false, b"here now")
            .flush()
            .flush()
            .flush();
        let stats = Sim::run(Focus::Server, &w.finish());
        assert_eq!(stats.server_migrated, 1, "{stats:?}");
    }
}
