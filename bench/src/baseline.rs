//! Baselines: the bytes the same update stream takes in the platform's bit-packed encoding
//! (`ServerMsg::Update(..).encode()`, the client payload before transport framing), as the
//! JSON "update" message of seed 004, and as MessagePack (seed 000's choice), side by side.
//!
//! ```
//! use starlane_bench::baseline::{compare, synthetic_stream};
//!
//! let updates = synthetic_stream(7, 100, 40);
//! let cmp = compare(&updates);
//! println!("{}", cmp.table());
//! assert!(cmp.json_ratio() > 1.0);
//! ```
//!
//! Only payload bytes are compared: each format would travel in the same datagrams or frames.

mod formats;
mod stream;

pub use formats::{
    encode_json, encode_msgpack_compact, encode_msgpack_named, kind_name, resource_name,
    visibility_code,
};
pub use stream::{CLIENT_EMPIRE, synthetic_stream};

use serde::Serialize;
use starlane_protocol::Update;
use starlane_protocol::client::ServerMsg;
use std::fmt::Write as _;

/// An encoding of an update, compared by [`compare`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// The platform's bit-packed `ServerMsg::Update` (protocol/SPEC.md).
    Platform,
    /// Seed 004's JSON "update" message, compact.
    Json,
    /// MessagePack of the same message with named fields (`rmp_serde::to_vec_named`).
    MsgPackNamed,
    /// MessagePack of the same information as positional arrays (`rmp_serde::to_vec`).
    MsgPackCompact,
}

impl Encoding {
    /// Every encoding, platform first.
    pub const ALL: [Encoding; 4] = [
        Encoding::Platform,
        Encoding::Json,
        Encoding::MsgPackNamed,
        Encoding::MsgPackCompact,
    ];

    /// A short human label, as in [`Comparison::table`].
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Platform => "platform (bit-packed)",
            Encoding::Json => "JSON (seed 004)",
            Encoding::MsgPackNamed => "MessagePack, named",
            Encoding::MsgPackCompact => "MessagePack, arrays",
        }
    }

    /// The bytes of `update` in this encoding.
    pub fn encode(self, update: &Update) -> Vec<u8> {
        match self {
            Encoding::Platform => encode_platform(update),
            Encoding::Json => encode_json(update),
            Encoding::MsgPackNamed => encode_msgpack_named(update),
            Encoding::MsgPackCompact => encode_msgpack_compact(update),
        }
    }
}

/// The platform's client bytes of `update`: `ServerMsg::Update(update).encode()`.
pub fn encode_platform(update: &Update) -> Vec<u8> {
    ServerMsg::Update(update.clone()).encode()
}

/// Size figures of one encoding over a stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EncodingStats {
    /// Which encoding.
    pub encoding: Encoding,
    /// Sum of the sizes of every update (bytes).
    pub total_bytes: u64,
    /// Median size of one update (bytes; the mean of the two middle ones for an even count).
    pub median_bytes: f64,
    /// Largest update (bytes).
    pub max_bytes: u64,
}

/// The same update stream in every [`Encoding`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Updates in the stream.
    pub updates: usize,
    /// Entities carried (appeared + changed + disappeared) over the stream.
    pub entity_records: u64,
    /// One row per encoding, in [`Encoding::ALL`] order.
    pub rows: Vec<EncodingStats>,
    /// Bytes of the delta-sync datagrams (`EntityPacket`s) that actually carried the stream
    /// to the client, resends and duplicates included, when it was recorded from a live
    /// client. Ratios are taken against this when present, else against the platform's
    /// `Update` encoding.
    pub delta_wire_bytes: Option<u64>,
}

/// [`compare`], with the bytes of the delta-sync datagrams that carried `updates` to the
/// client as the reference of the ratios.
pub fn compare_with_wire(updates: &[Update], delta_wire_bytes: Option<u64>) -> Comparison {
    Comparison {
        delta_wire_bytes,
        ..compare(updates)
    }
}

/// Encode every update in every [`Encoding`] and sum up the sizes.
pub fn compare(updates: &[Update]) -> Comparison {
    let rows = Encoding::ALL
        .iter()
        .map(|&encoding| {
            let sizes: Vec<u64> = updates
                .iter()
                .map(|u| encoding.encode(u).len() as u64)
                .collect();
            EncodingStats {
                encoding,
                total_bytes: sizes.iter().sum(),
                median_bytes: median(sizes.clone()),
                max_bytes: sizes.iter().copied().max().unwrap_or(0),
            }
        })
        .collect();
    let entity_records = updates
        .iter()
        .map(|u| (u.appeared.len() + u.changed.len() + u.disappeared.len()) as u64)
        .sum();
    Comparison {
        updates: updates.len(),
        entity_records,
        rows,
        delta_wire_bytes: None,
    }
}

impl Comparison {
    /// The row of `encoding`.
    pub fn row(&self, encoding: Encoding) -> &EncodingStats {
        self.rows
            .iter()
            .find(|r| r.encoding == encoding)
            .expect("compare() builds one row per encoding")
    }

    /// Total bytes of `encoding` over the platform's: the delta-sync wire bytes when known,
    /// else the platform's `Update` encoding (0 when that total is 0).
    pub fn ratio(&self, encoding: Encoding) -> f64 {
        let platform = self
            .delta_wire_bytes
            .unwrap_or(self.row(Encoding::Platform).total_bytes);
        if platform == 0 {
            return 0.0;
        }
        self.row(encoding).total_bytes as f64 / platform as f64
    }

    /// JSON bytes over platform bytes.
    pub fn json_ratio(&self) -> f64 {
        self.ratio(Encoding::Json)
    }

    /// MessagePack (named) bytes over platform bytes.
    pub fn msgpack_ratio(&self) -> f64 {
        self.ratio(Encoding::MsgPackNamed)
    }

    /// A plain-text table, one row per encoding, with the ratio to the platform.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} updates, {} entity records\n{:<24}{:>14}{:>14}{:>12}{:>12}{:>13}\n",
            self.updates,
            self.entity_records,
            "encoding",
            "total bytes",
            "median/upd",
            "max/upd",
            "B/entity",
            "x platform"
        );
        if let Some(wire) = self.delta_wire_bytes {
            let per_entity = wire as f64 / self.entity_records.max(1) as f64;
            let _ = writeln!(
                out,
                "{:<24}{:>14}{:>14}{:>12}{:>12.2}{:>13.2}",
                "delta sync (wire)", wire, "-", "-", per_entity, 1.0
            );
        }
        for row in &self.rows {
            let per_entity = if self.entity_records == 0 {
                0.0
            } else {
                row.total_bytes as f64 / self.entity_records as f64
            };
            // Writing into a String cannot fail.
            let _ = writeln!(
                out,
                "{:<24}{:>14}{:>14.1}{:>12}{:>12.2}{:>13.2}",
                row.encoding.label(),
                row.total_bytes,
                row.median_bytes,
                row.max_bytes,
                per_entity,
                self.ratio(row.encoding)
            );
        }
        out
    }
}

/// Median of `values` (0 for none).
fn median(mut values: Vec<u64>) -> f64 {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2] as f64,
        _ => (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(vec![5, 1, 3]), 3.0);
        assert_eq!(median(vec![4, 1, 3, 2]), 2.5);
        assert_eq!(median(Vec::new()), 0.0);
    }
}
