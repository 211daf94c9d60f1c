//! `run-replicon`: the platform's script replayed through bevy_replicon 0.45 over renet's
//! netcode UDP transport (bevy_replicon_renet 0.21), server and clients on loopback through
//! the harness's relay. See bench/peers/README.md. bevy 0.20 declares rustc 1.97.1:
//!
//! ```sh
//! cargo run --release --ignore-rust-version -p run-replicon -- --script standard.jsonl
//! ```

mod stack;

use peers_scenario::alloc::CountingAlloc;
use peers_scenario::driver;
use peers_scenario::report::{self, Args, Report};
use peers_scenario::script::Script;
use std::process::ExitCode;
use std::sync::Arc;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() -> ExitCode {
    report::main_of("run-replicon", run)
}

fn run(args: Args, script: Arc<Script>) -> anyhow::Result<()> {
    let opts = args.options(script.header.sessions);
    let per_tick = args.rate / script.header.tick_hz.max(1);
    let clients = opts.clients;
    let measured = driver::run(
        script.clone(),
        &opts,
        move |socket, routes| stack::ReplServer::new(socket, routes, clients, per_tick),
        |i, to| stack::ReplClient::new(i as u64, to, per_tick),
    )?;
    let report = Report {
        stack: "bevy_replicon".into(),
        versions: vec![
            ("bevy_replicon".into(), "0.45.5".into()),
            ("bevy_replicon_renet".into(), "0.21.0".into()),
            ("renet".into(), "2.0.1".into()),
            ("bevy".into(), "0.20".into()),
        ],
        config: stack::config(per_tick),
        script: script.header.clone(),
        impair: args.impair,
        rate: args.rate,
        measured,
    };
    report.emit(args.out.as_deref())
}
