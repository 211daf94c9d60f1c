//! `[cluster]`: the region in the shared registry (Redis), so edges find it by id.

use super::ConfigError;
use std::net::SocketAddr;

starlane_cluster::cluster_section! {
    /// `[cluster]`: registration of this region in the cluster registry (Redis). Off by
    /// default (`redis_url` empty): the all-in-one server and a lone region need no Redis.
    /// Env: `STARLANE_REGION_CLUSTER_REDIS_URL`, `_PREFIX`, `_REGION`, `_ADVERTISE_LINK_ADDR`.
    pub struct ClusterSection {
        /// Id this region registers under (what edges name in `region_link.region`); empty (the
        /// default) means `region_id`.
        region: "",
        /// Sessions this region is meant to hold (registered with its load). Default 10000.
        capacity,
        /// The link address edges dial (`host:port`, an IP address); empty (the default) means
        /// the bound link address, which must then not be unspecified (0.0.0.0 or [::]).
        advertise_link_addr: String = String::new(),
    }
}

impl ClusterSection {
    /// Whether the region registers in a cluster (`redis_url` is set).
    pub fn enabled(&self) -> bool {
        !self.redis_url.is_empty()
    }

    /// The id registered: `region`, or `region_id` when empty.
    pub fn region_or<'a>(&'a self, region_id: &'a str) -> &'a str {
        if self.region.is_empty() {
            region_id
        } else {
            &self.region
        }
    }

    /// The link address registered: `advertise_link_addr`, or `bound` when empty. Fails when
    /// the result is unspecified (edges cannot dial 0.0.0.0 or [::]).
    pub fn advertised(&self, bound: SocketAddr) -> Result<SocketAddr, ConfigError> {
        let addr = if self.advertise_link_addr.is_empty() {
            bound
        } else {
            self.parse_advertised()?
        };
        if addr.ip().is_unspecified() {
            return Err(ConfigError::Invalid {
                field: "cluster.advertise_link_addr",
                problem: format!(
                    "is unset and the link address {addr} is unspecified: edges cannot dial it"
                ),
                fix: "set cluster.advertise_link_addr to the address edges reach the link at, \
                      e.g. \"10.0.0.5:4500\"",
            });
        }
        Ok(addr)
    }

    fn parse_advertised(&self) -> Result<SocketAddr, ConfigError> {
        let addr: SocketAddr =
            self.advertise_link_addr
                .trim()
                .parse()
                .map_err(|e| ConfigError::Invalid {
                    field: "cluster.advertise_link_addr",
                    problem: format!(
                        "{:?} is not an ip:port address ({e})",
                        self.advertise_link_addr
                    ),
                    fix: "use e.g. \"10.0.0.5:4500\" or \"[fd00::5]:4500\", or leave it empty",
                })?;
        if addr.ip().is_unspecified() || addr.port() == 0 {
            return Err(ConfigError::Invalid {
                field: "cluster.advertise_link_addr",
                problem: format!("{addr} is unspecified (0.0.0.0, [::] or port 0)"),
                fix: "name the address and port edges dial, e.g. \"10.0.0.5:4500\"",
            });
        }
        Ok(addr)
    }

    /// Check the fields (`link_bind` is the configured link address); errors name the field
    /// and the fix. Nothing is checked but the URL's form while the cluster is off.
    pub fn validate(&self, link_bind: SocketAddr) -> Result<(), ConfigError> {
        let invalid = |field, problem: String, fix| ConfigError::Invalid {
            field,
            problem,
            fix,
        };
        self.connection().validate().map_err(|e| {
            let (field, fix) = if e.to_string().contains("heartbeat") {
                ("cluster.heartbeat_secs", "use e.g. 2")
            } else {
                (
                    "cluster.redis_url",
                    "use redis://host:port, or leave it empty for no cluster",
                )
            };
            invalid(field, e.to_string(), fix)
        })?;
        if !self.enabled() {
            return Ok(());
        }
        if !self.region.is_empty() && !starlane_protocol::link::control::valid_name(&self.region) {
            return Err(invalid(
                "cluster.region",
                format!("{:?} is not 1 to 64 bytes", self.region),
                "use a short name, e.g. \"eu-west-1\", or leave it empty for region_id",
            ));
        }
        if self.capacity == 0 {
            return Err(invalid(
                "cluster.capacity",
                "is 0".into(),
                "use the sessions this region can hold, e.g. 10000",
            ));
        }
        // Port 0 is resolved at bind time; check the host part only.
        self.advertised(SocketAddr::new(link_bind.ip(), link_bind.port().max(1)))
            .map(|_| ())
    }
}
