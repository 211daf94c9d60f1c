//! Used by the test `shared_servers_stop_when_their_process_exits`: starts the process-wide
//! test servers (no shared ones in the environment), prints their URLs and exits without any
//! cleanup of its own, as a test process does.

fn main() {
    let db = starlane_testbed::fresh_database();
    let redis = starlane_testbed::redis_url();
    println!("{db}\n{redis}");
}
