//! Seeds of `edge_config` and `bandwidth_profile`: the shipped files and variants that reach
//! each validation rule.

use super::{repo, seed};

/// Edge configuration variants: `(name, toml, environment lines)`.
const EDGE_VARIANTS: &[(&str, &str, &str)] = &[
    ("empty", "", ""),
    ("dev-issuer", "[dev_issuer]\nenabled = true\n", ""),
    (
        "key-file",
        "[jwt]\npublic_key_file = \"keys/login.pem\"\nissuer = \"login\"\n",
        "",
    ),
    (
        "key-url",
        "[jwt]\npublic_key_url = \"http://login.internal/key.pem\"\n",
        "",
    ),
    (
        "both-key-sources",
        "[jwt]\npublic_key_file = \"a.pem\"\npublic_key_url = \"http://x/\"\n",
        "",
    ),
    (
        "real-certificate",
        "[dev_issuer]\nenabled = true\n[certificate]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n",
        "",
    ),
    (
        "short-certificate",
        "[dev_issuer]\nenabled = true\n[certificate]\nvalidity_days = 1\nrotate_before_secs = 3600\n",
        "",
    ),
    (
        "profiles",
        "[dev_issuer]\nenabled = true\n[bandwidth]\nbrowser = \"mobile\"\nnative = \"lan\"\n\
         [bandwidth.user_types]\nbot = \"constrained\"\nvip = \"nope\"\n",
        "",
    ),
    (
        "env-overrides",
        "",
        "STARLANE_EDGE_DEV_ISSUER_ENABLED=yes\nSTARLANE_EDGE_UDP_BIND=127.0.0.1:5000\n\
         STARLANE_EDGE_JWT_ISSUER=login\nSTARLANE_EDGE_JWT_PUBLIC_KEY_URL=\n",
    ),
    (
        "env-bad-bind",
        "[dev_issuer]\nenabled = true\n",
        "STARLANE_EDGE_HTTP_BIND=localhost\n",
    ),
    ("unknown-field", "colour = \"blue\"\n", ""),
    ("wrong-type", "[udp]\nidle_timeout_secs = \"soon\"\n", ""),
];

/// Bandwidth profile variants.
const PROFILE_VARIANTS: &[(&str, &str)] = &[
    ("empty", ""),
    (
        "one-tier",
        "[priority]\ndistance_tiers = [{ weight = 1.0 }]\n",
    ),
    (
        "tiers-not-increasing",
        "[priority]\ndistance_tiers = [{ max_distance_hexes = 9 }, { max_distance_hexes = 4 }, { weight = 1.0 }]\n",
    ),
    ("no-tiers", "[priority]\ndistance_tiers = []\n"),
    ("nan-weight", "[priority]\nenemy = nan\n"),
    (
        "slowest",
        "bytes_per_sec = 1280\nburst_bytes = 64\nmax_packet_bytes = 64\nsend_rate_hz = 1\nmax_staleness_ms = 2000\n",
    ),
    (
        "fastest",
        "bytes_per_sec = 4294967295\nburst_bytes = 214748364\nsend_rate_hz = 60\nmax_staleness_ms = 34\n",
    ),
    (
        "burst-too-large",
        "bytes_per_sec = 20000\nburst_bytes = 2000\n",
    ),
    (
        "bad-quantization",
        "[quantization]\nposition_delta_bits = 1\nhealth_step = 0\n",
    ),
];

pub fn write() {
    let edge = std::fs::read(repo().join("configs/edge.toml")).unwrap();
    seed("edge_config", "shipped-edge", &edge);
    for (name, toml, env) in EDGE_VARIANTS {
        let mut bytes = toml.as_bytes().to_vec();
        if !env.is_empty() {
            bytes.push(0);
            bytes.extend_from_slice(env.as_bytes());
        }
        seed("edge_config", name, &bytes);
    }
    let dir = repo().join("configs/bandwidth");
    let mut shipped: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    shipped.sort();
    for path in shipped {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        seed(
            "bandwidth_profile",
            &format!("shipped-{name}"),
            &std::fs::read(&path).unwrap(),
        );
    }
    for (name, toml) in PROFILE_VARIANTS {
        seed("bandwidth_profile", name, toml.as_bytes());
    }
}
