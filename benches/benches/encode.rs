//! Encoding outgoing payloads on both JSON paths.
//!
//! `cargo bench -p benches --bench encode`

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn encode(c: &mut Criterion) {
    let messages: Vec<_> = (0..100).map(benches::send_message_payload).collect();
    let bytes: usize = messages
        .iter()
        .map(|m| serde_json::to_vec(m).unwrap().len())
        .sum();
    let mut group = c.benchmark_group("encode/send_message x100");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(BenchmarkId::new("typed", "simd-json"), |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| simd_json::serde::to_vec(m).unwrap().len())
                .sum::<usize>()
        })
    });
    group.bench_function(BenchmarkId::new("typed", "serde_json"), |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| serde_json::to_vec(m).unwrap().len())
                .sum::<usize>()
        })
    });
    group.finish();

    let media = benches::media_group_payload();
    let mut group = c.benchmark_group("encode/send_media_group");
    group.throughput(Throughput::Bytes(
        serde_json::to_vec(&media).unwrap().len() as u64
    ));
    group.bench_function(BenchmarkId::new("typed", "simd-json"), |b| {
        b.iter(|| simd_json::serde::to_vec(&media).unwrap())
    });
    group.bench_function(BenchmarkId::new("typed", "serde_json"), |b| {
        b.iter(|| serde_json::to_vec(&media).unwrap())
    });
    group.finish();
}

criterion_group!(benches, encode);
criterion_main!(benches);
