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
        // The transport copies each response body into a padded buffer, which simd-json then
        // parses where it lies; the batch decoder starts from the same.
        let padded_input = || telegram_types::json::padded_copy(&body);

        // The two contenders of the ≥ 2× target run back to back, so the host's drift over
        // the run weighs on them alike. Every contender borrows its input (`iter_batched_ref`):
        // freeing a megabyte body is the allocator's business, not the decoder's, and timing
        // it made the results depend on where glibc happened to put the buffer.
        group.bench_function(BenchmarkId::new("typed", "simd-json batch"), |b| {
            b.iter_batched_ref(
                padded_input,
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
        group.bench_function(
            BenchmarkId::new("typed", "simd-json batch, unpadded"),
            |b| {
                b.iter_batched_ref(
                    input,
                    |bytes| telegram_types::batch::decode_updates(bytes).unwrap(),
                    BatchSize::LargeInput,
                )
            },
        );
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
    let ours = telegram_types::batch::decode_updates(&mut body.to_vec())
        .unwrap()
        .result
        .unwrap();
    assert_eq!(ours.iter().filter(|u| u.is_ok()).count(), updates);
    let theirs =
        serde_json::from_slice::<TeloxideEnvelope>(body).expect("teloxide-core decodes the corpus");
    assert_eq!(theirs.result.len(), updates);
}

criterion_group!(benches, decode);
criterion_main!(benches);
