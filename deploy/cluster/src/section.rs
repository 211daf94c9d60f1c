//! The `[cluster]` section of the edge's and the region's configs, defined once.
//!
//! Both roles read the same keys first (the connection, `region`, `capacity`), then keys of
//! their own. The section is one flat serde struct per role, made by [`cluster_section!`]: a
//! struct holding the shared keys by `#[serde(flatten)]` would lose what makes a bad file easy
//! to fix (the line of a wrong value, the list of keys for an unknown one).

/// What `capacity` is when the file leaves it out, for both roles.
pub const DEFAULT_CAPACITY: u64 = 10_000;

/// Defines a role's `[cluster]` section: `redis_url`, `prefix`, `heartbeat_secs` (defaults
/// from [`ClusterConfig`](crate::ClusterConfig)), `region` (default given here), `capacity`
/// (default [`DEFAULT_CAPACITY`]), then the role's keys with their defaults, in that order;
/// unknown keys are refused. It also makes `Default` and `connection()`. The crate using it
/// depends on `serde` (derive).
///
/// ```
/// starlane_cluster::cluster_section! {
///     /// `[cluster]` of a role.
///     pub struct Section {
///         /// Region served. Default "default".
///         region: "default",
///         /// Sessions held.
///         capacity,
///         /// A key of the role's own. Default 5.
///         resync_secs: u64 = 5,
///     }
/// }
/// let s: Section = serde_json::from_str(r#"{"capacity": 7}"#).unwrap();
/// assert_eq!((s.region.as_str(), s.capacity, s.resync_secs), ("default", 7, 5));
/// assert_eq!(s.connection().heartbeat_secs, 2);
/// ```
#[macro_export]
macro_rules! cluster_section {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(#[$region_doc:meta])*
            region: $region:expr,
            $(#[$capacity_doc:meta])*
            capacity,
            $( $(#[$field_doc:meta])* $field:ident: $ty:ty = $default:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
        #[serde(default, deny_unknown_fields)]
        $vis struct $name {
            /// `redis://host:port[/db]` or `rediss://…`; empty (the default): no Redis.
            pub redis_url: String,
            /// Prefix of every Redis key and channel. Default "starlane:".
            pub prefix: String,
            /// Seconds between registry heartbeats (records live three). Default 2.
            pub heartbeat_secs: u64,
            $(#[$region_doc])*
            pub region: String,
            $(#[$capacity_doc])*
            pub capacity: u64,
            $( $(#[$field_doc])* pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                let base = $crate::ClusterConfig::default();
                Self {
                    redis_url: base.redis_url,
                    prefix: base.prefix,
                    heartbeat_secs: base.heartbeat_secs,
                    region: ::std::string::String::from($region),
                    capacity: $crate::section::DEFAULT_CAPACITY,
                    $( $field: $default, )*
                }
            }
        }

        impl $name {
            /// The connection settings.
            pub fn connection(&self) -> $crate::ClusterConfig {
                $crate::ClusterConfig {
                    redis_url: self.redis_url.clone(),
                    prefix: self.prefix.clone(),
                    heartbeat_secs: self.heartbeat_secs,
                }
            }
        }
    };
}
