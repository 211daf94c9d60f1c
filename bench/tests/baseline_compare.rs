//! `compare()`: its figures are the sums and medians of the per-update encodings.
#![allow(clippy::unwrap_used)]

use starlane_bench::baseline::{
    Encoding, compare, encode_json, encode_msgpack_compact, encode_msgpack_named, synthetic_stream,
};
use starlane_protocol::client::ServerMsg;

#[test]
fn totals_are_the_sums_of_the_per_update_sizes() {
    let updates = synthetic_stream(21, 120, 60);
    let cmp = compare(&updates);
    assert_eq!(cmp.updates, 61);
    let sum = |f: &dyn Fn(&starlane_protocol::Update) -> usize| -> u64 {
        updates.iter().map(|u| f(u) as u64).sum()
    };
    let platform = sum(&|u| ServerMsg::Update(u.clone()).encode().len());
    let json = sum(&|u| encode_json(u).len());
    let named = sum(&|u| encode_msgpack_named(u).len());
    let compact = sum(&|u| encode_msgpack_compact(u).len());
    assert_eq!(cmp.row(Encoding::Platform).total_bytes, platform);
    assert_eq!(cmp.row(Encoding::Json).total_bytes, json);
    assert_eq!(cmp.row(Encoding::MsgPackNamed).total_bytes, named);
    assert_eq!(cmp.row(Encoding::MsgPackCompact).total_bytes, compact);
    assert_eq!(cmp.json_ratio(), json as f64 / platform as f64);
    assert_eq!(cmp.msgpack_ratio(), named as f64 / platform as f64);
    let records: u64 = updates
        .iter()
        .map(|u| (u.appeared.len() + u.changed.len() + u.disappeared.len()) as u64)
        .sum();
    assert_eq!(cmp.entity_records, records);
}

#[test]
fn medians_and_maxima_are_per_update_figures() {
    let updates = synthetic_stream(2, 50, 30);
    let cmp = compare(&updates);
    for row in &cmp.rows {
        let mut sizes: Vec<u64> = updates
            .iter()
            .map(|u| row.encoding.encode(u).len() as u64)
            .collect();
        sizes.sort_unstable();
        // 31 updates: the median is the 16th size.
        assert_eq!(row.median_bytes, sizes[15] as f64, "{:?}", row.encoding);
        assert_eq!(row.max_bytes, *sizes.last().unwrap());
    }
}

#[test]
fn table_lists_every_encoding_with_its_ratio() {
    let cmp = compare(&synthetic_stream(4, 30, 10));
    let table = cmp.table();
    for e in Encoding::ALL {
        let line = table
            .lines()
            .find(|l| l.starts_with(e.label()))
            .unwrap_or_else(|| panic!("no row for {e:?} in\n{table}"));
        assert!(line.ends_with(&format!("{:.2}", cmp.ratio(e))), "{line}");
    }
    assert!(table.starts_with("11 updates"));
    assert!(cmp.json_ratio() > cmp.msgpack_ratio() && cmp.msgpack_ratio() > 1.0);
}

#[test]
fn empty_stream_compares_to_zeros() {
    let cmp = compare(&[]);
    assert_eq!(cmp.updates, 0);
    assert!(
        cmp.rows
            .iter()
            .all(|r| r.total_bytes == 0 && r.max_bytes == 0)
    );
    assert_eq!(cmp.json_ratio(), 0.0);
}
