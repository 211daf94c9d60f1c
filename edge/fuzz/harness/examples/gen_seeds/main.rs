//! Writes the seed corpus in `edge/fuzz/corpus/<target>/` from real inputs: the protocol's
//! golden vectors, the shipped configuration, link frames and handshake datagrams made with the
//! real encoders and endpoints. Run from anywhere in the repository:
//!
//! ```text
//! cargo run -p starlane-fuzz --example gen_seeds               # every target
//! cargo run -p starlane-fuzz --example gen_seeds game_config   # the region configuration only
//! ```
//!
//! Files are overwritten by name; files of other names (crash inputs) are kept. Handshake
//! datagrams carry fresh random keys, so their bytes change on every run.
#![allow(clippy::unwrap_used)]

mod config;
mod handshake;
mod link;
mod protocol;

use std::path::{Path, PathBuf};

/// Where the corpus of `target` lives.
fn corpus(target: &str) -> PathBuf {
    // The corpus belongs to the fuzz targets' crate, one level up.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus")
        .join(target)
}

/// The repository root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// Write one seed file.
fn seed(target: &str, name: &str, bytes: &[u8]) {
    let dir = corpus(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("game_config") {
        config::write_region();
    } else {
        protocol::write();
        link::write();
        config::write();
        handshake::write();
    }
    for target in [
        "client_msg",
        "entity_packet",
        "link_frame",
        "handshake_server",
        "handshake_client",
        "edge_config",
        "game_config",
        "bandwidth_profile",
    ] {
        let n = std::fs::read_dir(corpus(target)).map_or(0, |d| d.count());
        println!("{target}: {n} files");
    }
}
