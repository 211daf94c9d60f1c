//! `run-naia`: the platform's script replayed through naia 0.25 (server and clients on
//! loopback UDP through the harness's relay). See bench/peers/README.md.
//!
//! ```sh
//! cargo run --release -p run-naia -- --script standard.jsonl --out naia.json
//! ```

mod stack;
mod table;
mod transport;

use peers_scenario::alloc::CountingAlloc;
use peers_scenario::driver;
use peers_scenario::report::{self, Args, Report};
use peers_scenario::script::Script;
use std::process::ExitCode;
use std::sync::Arc;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() -> ExitCode {
    report::main_of("run-naia", run)
}

fn run(args: Args, script: Arc<Script>) -> anyhow::Result<()> {
    let opts = args.options(script.header.sessions);
    let hub = transport::Hub::default();
    let rate = args.rate;
    let server_hub = hub.clone();
    let measured = driver::run(
        script.clone(),
        &opts,
        move |socket, routes| {
            Ok(stack::NaiaServer::new(
                socket,
                routes.seen,
                server_hub,
                rate,
            ))
        },
        |_, to| stack::NaiaClient::new(to, hub.clone()),
    )?;
    let report = Report {
        stack: "naia".into(),
        versions: vec![
            ("naia-server".into(), "0.25.0".into()),
            ("naia-client".into(), "0.25.0".into()),
            ("naia-shared".into(), "0.25.0".into()),
        ],
        config: stack::config(rate),
        script: script.header.clone(),
        impair: args.impair,
        rate,
        measured,
    };
    report.emit(args.out.as_deref())
}
