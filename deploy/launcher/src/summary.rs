//! What `starlane-cluster-up` prints once every process is up: per region its edges'
//! addresses and connect endpoints, how to get a token, a ready-to-paste `starlane-client`
//! command; and one machine-readable `STARLANE_CLUSTER_READY {json}` line.

use crate::Cluster;
use std::fmt::Write;

/// The human-readable summary.
pub fn render(cluster: &Cluster) -> String {
    let mut out = String::new();
    let plan = cluster.plan();
    let dev = cluster.dev();
    // Writing into a String cannot fail.
    let _ = writeln!(
        out,
        "Starlane cluster is up (data in {}).",
        plan.data_dir.display()
    );
    let _ = writeln!(out, "  PostgreSQL  {}/starlane", cluster.postgres_url());
    let _ = writeln!(
        out,
        "  Redis       {} (key prefix {:?})",
        cluster.redis_url(),
        plan.prefix
    );
    let _ = writeln!(
        out,
        "  logs        {}",
        plan.data_dir.join("logs").display()
    );
    for region in &cluster.regions {
        let id = &region.plan.id;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Region {id}: link {} (QUIC, mutual TLS), metrics http://{}/metrics",
            region.link_addr, region.http_addr
        );
        for edge in &region.edges {
            let e = &edge.info;
            let _ = writeln!(out, "  edge {}", e.id);
            let _ = writeln!(out, "    connect      POST {}", e.connect_url);
            let _ = writeln!(
                out,
                "    udp          {} (static public key {})",
                e.udp_addr, e.udp_public_key
            );
            let _ = writeln!(
                out,
                "    webtransport https://{}/ and quic {} (certificate sha-256 {})",
                e.webtransport_addr, e.quic_addr, e.cert_hash
            );
            let _ = writeln!(out, "    metrics      http://{}/metrics", e.http_addr);
            let _ = writeln!(
                out,
                "    admin        http://{}/admin/drain (POST, bearer token below)",
                e.admin_addr
            );
        }
        let url = dev.region_url(id);
        let _ = writeln!(
            out,
            "  token        curl -s -X POST -H 'content-type: application/json' \
             -d '{{\"username\":\"ada\"}}' {url}/api/dev/token"
        );
        let _ = writeln!(
            out,
            "  play         cargo run -p starlane-client -- --url {url} connect --user ada-{id}"
        );
        let _ = writeln!(
            out,
            "  bots         cargo run -p starlane-client -- --url {url} bots 10 --seconds 60"
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Admin token (every edge): {}", plan.admin_token);
    let _ = writeln!(
        out,
        "Every edge: http://{}/api/cluster. Ctrl-C or SIGTERM stops every process.",
        dev.addr()
    );
    out
}

/// The `STARLANE_CLUSTER_READY {json}` line: the development server, and per region its
/// link and HTTP addresses and its edges.
pub fn ready_line(cluster: &Cluster) -> String {
    let regions: Vec<serde_json::Value> = cluster
        .regions
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.plan.id,
                "link": r.link_addr.to_string(),
                "http": r.http_addr.to_string(),
                "dev_url": cluster.dev().region_url(&r.plan.id),
                "edges": r.edges.iter().map(|e| &e.info).collect::<Vec<_>>(),
            })
        })
        .collect();
    let json = serde_json::json!({
        "dev_http": cluster.dev().addr().to_string(),
        "admin_token": cluster.plan().admin_token,
        "regions": regions,
    });
    format!("STARLANE_CLUSTER_READY {json}")
}
