//! Seeds of `edge_config`, `game_config` and `bandwidth_profile`: the shipped files and
//! variants that reach each validation rule.

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

/// Region server configuration variants: `(name, toml, environment lines)`.
const REGION_VARIANTS: &[(&str, &str, &str)] = &[
    ("empty", "", ""),
    (
        "env-overrides",
        "",
        "STARLANE_REGION_TICK_HZ=30\nSTARLANE_REGION_CHUNK_RADIUS=5\n\
         STARLANE_REGION_LINK_BIND=127.0.0.1:0\nSTARLANE_REGION_LOAD_PATTERN=battle\n\
         STARLANE_REGION_LINK_PINS=ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89, \n",
    ),
    ("env-bad-number", "", "STARLANE_REGION_TICK_HZ=fast\n"),
    ("tick-out-of-range", "tick_hz = 0\n", ""),
    (
        "vision-beyond-map",
        "chunk_radius = 2\n[vision]\nscout = 6\nfrigate = 4\nstation = 5\n",
        "",
    ),
    (
        "production-pinned",
        "link_cert = \"c.pem\"\nlink_key = \"k.pem\"\n[link]\nproduction = true\n\
         pins = [\"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB\"]\n",
        "",
    ),
    (
        "production-without-trust",
        "[link]\nproduction = true\n",
        "",
    ),
    ("bad-pin", "[link]\npins = [\"nope\"]\n", ""),
    ("cert-without-key", "link_cert = \"c.pem\"\n", ""),
    (
        "old-database-url",
        "database_url = \"postgres://db/region\"\n",
        "",
    ),
    (
        "store-postgres",
        "[store]\nurl = \"postgres://db/region\"\npool_size = 4\nhome_region_policy = \"hash\"\nregions = [\"eu\", \"us\"]\n",
        "",
    ),
    ("store-bad-url", "[store]\nurl = \"mysql://db\"\n", ""),
    (
        "load-and-sync",
        "[load]\nnpc_count = 200001\npattern = \"columns\"\n[sync]\ndelta_log_ticks = 0\n",
        "",
    ),
    ("unknown-field", "colour = \"blue\"\n", ""),
    ("wrong-type", "[vision]\nscout = \"far\"\n", ""),
    ("not-toml", "tick_hz = = 3\n[[link\n", ""),
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
    write_config("edge_config", "configs/edge.toml", EDGE_VARIANTS);
    write_region();
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

/// The seeds of `game_config` alone (`gen_seeds game_config`).
pub fn write_region() {
    write_config("game_config", "configs/region.toml", REGION_VARIANTS);
}

/// The seeds of a configuration target: the shipped file `shipped` (named after it), then each
/// variant as its TOML, a NUL byte and its environment lines (when it has any).
fn write_config(target: &str, shipped: &str, variants: &[(&str, &str, &str)]) {
    let path = repo().join(shipped);
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    seed(
        target,
        &format!("shipped-{name}"),
        &std::fs::read(&path).unwrap(),
    );
    for (name, toml, env) in variants {
        let mut bytes = toml.as_bytes().to_vec();
        if !env.is_empty() {
            bytes.push(0);
            bytes.extend_from_slice(env.as_bytes());
        }
        seed(target, name, &bytes);
    }
}
