//! The platform's native client for the replay: [`starlane_client::Client`] over encrypted
//! UDP, stepped once per frame by the driver. Netcore runs each client's socket loop on a
//! thread of its own (`starlane-udp-client`); the session (delta assembly, acknowledgements,
//! the world view) runs on the driver's thread, on one current-thread runtime all clients
//! share.

use peers_scenario::driver::ClientStack;
use peers_scenario::script::Id;
use starlane_client::{Client, ClientError, ClientEvent, ConnectInfo};
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

/// The clients' delta-sync counters, summed as each client ends: packets, duplicates, too
/// old, records skipped for a missing baseline.
pub static DELTA: Mutex<[u64; 4]> = Mutex::new([0; 4]);

/// How many times a step lets the runtime's tasks run.
const YIELDS: usize = 2;

/// One replaying client.
#[derive(Debug)]
pub struct StarlaneClient {
    rt: Rc<Runtime>,
    state: State,
}

#[derive(Debug)]
enum State {
    Connecting(JoinHandle<Result<Client, ClientError>>),
    Ready(Box<Client>),
    /// Its connection failed or closed (said on stderr; the driver sees it not connected).
    Gone,
}

impl StarlaneClient {
    /// A client that dials `to` (its relay's front) once the server has published its key,
    /// with `token`.
    pub fn new(
        rt: Rc<Runtime>,
        to: SocketAddr,
        token: String,
        published: Arc<crate::Published>,
    ) -> Self {
        let task = rt.spawn(async move {
            let key = loop {
                if let Some((_, key)) = published.get() {
                    break key;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            };
            Client::connect(&ConnectInfo::udp_only(to, key), &token).await
        });
        Self {
            rt,
            state: State::Connecting(task),
        }
    }
}

/// Add `client`'s delta-sync counters to [`DELTA`].
fn count(client: &Client) {
    if let Ok(mut sum) = DELTA.lock() {
        let d = client.delta_stats();
        let add = [d.packets, d.duplicates, d.too_old, d.missing_baseline];
        for (s, v) in sum.iter_mut().zip(add) {
            *s += v;
        }
    }
}

impl Drop for StarlaneClient {
    fn drop(&mut self) {
        if let State::Ready(client) = &self.state {
            count(client);
        }
    }
}

fn gone(why: String) -> State {
    eprintln!("run-starlane: a client is gone: {why}");
    State::Gone
}

impl ClientStack for StarlaneClient {
    fn poll(&mut self) {
        let rt = self.rt.clone();
        rt.block_on(async {
            for _ in 0..YIELDS {
                tokio::task::yield_now().await;
            }
            if let State::Connecting(task) = &mut self.state
                && task.is_finished()
            {
                self.state = match task.await {
                    Ok(Ok(client)) => State::Ready(Box::new(client)),
                    Ok(Err(e)) => gone(format!("connect: {e}")),
                    Err(e) => gone(format!("connect task: {e}")),
                };
            }
            let State::Ready(client) = &mut self.state else {
                return;
            };
            loop {
                // What arrived is applied; an empty queue ends the step at once.
                match tokio::time::timeout(Duration::ZERO, client.next_event()).await {
                    Ok(Some(ClientEvent::Closed(why))) => {
                        count(client);
                        self.state = gone(format!("closed: {why}"));
                        return;
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        count(client);
                        self.state = gone("the link ended".into());
                        return;
                    }
                    Err(_) => return,
                }
            }
        });
    }

    fn connected(&self) -> bool {
        matches!(self.state, State::Ready(_))
    }

    fn for_each(&mut self, f: &mut dyn FnMut(Id, i32, i32, u16)) {
        if let State::Ready(client) = &self.state {
            for s in client.world.entities.values() {
                f(s.id, s.pos.q, s.pos.r, s.health);
            }
        }
    }
}
