//! Typed decoding of `getUpdates` bodies on both JSON paths, against DOM parsing of the same
//! bytes and against teloxide-core's `Update`.
//!
//! `cargo bench -p benches --bench decode`

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use serde::Deserialize;
use telegram_types::{Response, Update};

/// teloxide-core keeps its own envelope private; this is the same shape.
#[derive(Deserialize)]
struct TeloxideEnvelope {
    #[allow(dead_code)]
    ok: bool,
    result: Vec<teloxide_core::types::Update>,
}

fn decode(c: &mut Criterion) {
    for updates in [100, 2000] {
        let body = benches::get_updates_body(updates);
        check_everyone_decodes(&body, updates);
        let mut group = c.benchmark_group(format!("decode/{updates}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        let input = || body.clone();

        // The two contenders of the ≥ 2× target run back to back, so the host's drift over
        // the run weighs on them alike. Every contender borrows its input (`iter_batched_ref`):
        // freeing a megabyte body is the allocator's business, not the decoder's, and timing
        // it made the results depend on where glibc happened to put the buffer. Ours includes
        // the padded copy simd-json parses in place (the transport's copy, made by the decoder
        // since it keeps the body as received for its fallback).
        group.bench_function(BenchmarkId::new("typed", "simd-json batch"), |b| {
            b.iter_batched_ref(
                input,
                |bytes| telegram_types::batch::decode_updates(bytes).unwrap(),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(BenchmarkId::new("dom", "serde_json::Value"), |b| {
            b.iter_batched_ref(
                input,
                |bytes| serde_json::from_slice::<serde_json::Value>(bytes).unwrap(),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(BenchmarkId::new("typed", "simd-json"), |b| {
            b.iter_batched_ref(
                input,
                |bytes| simd_json::serde::from_slice::<Response<Vec<Update>>>(bytes).unwrap(),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(BenchmarkId::new("typed", "serde_json"), |b| {
            b.iter_batched_ref(
                input,
                |bytes| serde_json::from_slice::<Response<Vec<Update>>>(bytes).unwrap(),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(BenchmarkId::new("dom", "simd_json::OwnedValue"), |b| {
            b.iter_batched_ref(
                input,
                |bytes| simd_json::to_owned_value(bytes).unwrap(),
                BatchSize::LargeInput,
            )
        });
        group.bench_function(BenchmarkId::new("peer", "teloxide-core"), |b| {
            b.iter_batched_ref(
                input,
                |bytes| serde_json::from_slice::<TeloxideEnvelope>(bytes).unwrap(),
                BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

/// Every contender must decode every update, or the comparison is void.
fn check_everyone_decodes(body: &[u8], updates: usize) {
    let ours = telegram_types::batch::decode_updates(body)
        .unwrap()
        .result
        .unwrap();
    assert_eq!(ours.iter().filter(|u| u.is_ok()).count(), updates);
    let theirs =
        serde_json::from_slice::<TeloxideEnvelope>(body).expect("teloxide-core decodes the corpus");
    assert_eq!(theirs.result.len(), updates);
}

/// A 100-update batch whose 50th-odd update does not fit the types (a `message_id` that is a
/// string): ours keeps the others on the typed path (the pass stops at the bad update, keeps
/// what it decoded, and decodes the rest in one more typed pass); teloxide-core turns the bad
/// one into `UpdateKind::Error` and keeps the rest too. Target: ours ≥ 3× teloxide-core.
fn decode_with_one_malformed(c: &mut Criterion) {
    let body = one_malformed(&benches::get_updates_body(100));
    let ours = telegram_types::batch::decode_updates(&body)
        .unwrap()
        .result
        .unwrap();
    assert_eq!(ours.len(), 100);
    assert_eq!(ours.iter().filter(|u| u.is_err()).count(), 1);
    let theirs = serde_json::from_slice::<TeloxideEnvelope>(&body).expect("teloxide-core decodes");
    assert_eq!(theirs.result.len(), 100);

    let mut group = c.benchmark_group("decode/100, one malformed");
    group.throughput(Throughput::Bytes(body.len() as u64));
    let input = || body.clone();
    group.bench_function(BenchmarkId::new("typed", "simd-json batch"), |b| {
        b.iter_batched_ref(
            input,
            |bytes| telegram_types::batch::decode_updates(bytes).unwrap(),
            BatchSize::LargeInput,
        )
    });
    group.bench_function(BenchmarkId::new("peer", "teloxide-core"), |b| {
        b.iter_batched_ref(
            input,
            |bytes| serde_json::from_slice::<TeloxideEnvelope>(bytes).unwrap(),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// `body` with the `message_id` nearest its middle made a string: that update no longer fits.
fn one_malformed(body: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(body).expect("the corpus is UTF-8");
    let key = "\"message_id\":";
    let at = text[text.len() / 2..]
        .find(key)
        .map(|i| i + text.len() / 2 + key.len())
        .expect("a message past the middle");
    let digits = text[at..]
        .find(|c: char| !c.is_ascii_digit())
        .expect("a number");
    format!("{}\"not a number\"{}", &text[..at], &text[at + digits..]).into_bytes()
}

criterion_group!(benches, decode, decode_with_one_malformed);
criterion_main!(benches);
