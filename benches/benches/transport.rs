//! `sendMessage` round trips to the fake Bot API on loopback, 1 and 64 requests in flight:
//! `Bot` (default `HyperTransport`) against a raw hyper-util pooled client posting the same JSON.
//!
//! Both sides do the same work per request: one HTTP/1.1 `POST /bot<token>/sendMessage` on a
//! pooled keep-alive connection, the whole response body read, and the body decoded into
//! `Response<Message>` by `telegram_types::json::from_slice` (the decoder `Bot` uses). The
//! differences left are the `Bot`'s own: encoding the payload per call, the URL, the retry loop,
//! the boxed transport future and body, the request timeout.
//!
//! The fake server, both clients and the measured loop all run on one tokio runtime with two
//! workers (the machine's cores), the server included, so a request's cost is the client's plus
//! the server's. Throughput is in requests: a 64-in-flight iteration is one batch of 64
//! concurrent calls, each spawned as its own task as a bot's handlers would be.
//!
//! `cargo bench -p benches --bench transport`

#![allow(missing_docs)] // criterion_group! generates undocumented functions

#[path = "support/raw_client.rs"]
mod raw_client;

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hyper::Uri;
use telegram_test::FakeBotApi;
use telegram_transport::Bot;
use telegram_types::methods::SendMessage;
use telegram_types::Message;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use raw_client::{post, raw_client, RawClient};

const TEXT: &str = "Hello from the transport bench";

fn transport(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(on_workers(Fixture::check()));

    for in_flight in [1, 64] {
        let mut group = c.benchmark_group(format!("transport/{in_flight} in flight"));
        group.throughput(Throughput::Elements(in_flight as u64));
        group.bench_function(BenchmarkId::new("sendMessage", "Bot"), |b| {
            b.iter_custom(|iters| measure(&rt, iters, in_flight, Fixture::bot_call))
        });
        group.bench_function(BenchmarkId::new("sendMessage", "raw hyper-util"), |b| {
            b.iter_custom(|iters| measure(&rt, iters, in_flight, Fixture::raw_call))
        });
        group.finish();
    }
}

/// A fake server and both clients pointed at it.
///
/// The server logs every call and stores every sent message, and telegram-test has no way to
/// clear either, so each sample gets a fresh one (started outside the timed loop): the state
/// grows by one sample's requests at most, never by the whole run's.
#[derive(Clone)]
struct Fixture {
    server: FakeBotApi,
    chat_id: i64,
    bot: Bot,
    raw: RawClient,
    uri: Uri,
    /// `{"chat_id":..,"text":..}`, exactly the bytes `Bot` sends.
    body: Bytes,
}

impl Fixture {
    async fn start() -> Fixture {
        let server = FakeBotApi::start().await;
        let chat_id = server.user("alice").id();
        let bot = Bot::new(server.token()).with_api_url(server.url());
        let uri = format!("{}/bot{}/sendMessage", server.url(), server.token())
            .parse()
            .expect("a valid URL");
        let body = telegram_types::json::to_vec(&SendMessage::new(chat_id, TEXT))
            .expect("sendMessage encodes")
            .into();
        Fixture {
            server,
            chat_id,
            bot,
            raw: raw_client(),
            uri,
            body,
        }
    }

    /// Both paths work, send the same bytes and speak HTTP/1.1, or the comparison is void.
    async fn check() {
        let fixture = Fixture::start().await;
        fixture.clone().bot_call().await;
        fixture.clone().raw_call().await;
        let calls = fixture.server.requests_for("sendMessage");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].params, calls[1].params);
        assert_eq!(
            fixture.body,
            format!(r#"{{"chat_id":{},"text":"{TEXT}"}}"#, fixture.chat_id)
        );
        for call in &calls {
            assert_eq!(call.http_version, hyper::Version::HTTP_11);
            assert_eq!(call.status, Some(200));
        }
        fixture.server.shutdown().await;
    }

    async fn bot_call(self) {
        let message = self
            .bot
            .send_message(self.chat_id, TEXT)
            .await
            .expect("sendMessage succeeds");
        black_box(message);
    }

    async fn raw_call(self) {
        let message: Message = post(&self.raw, self.uri, self.body).await;
        black_box(message);
    }
}

/// Times `iters` batches of `in_flight` concurrent `call`s against a fresh fixture, after one
/// untimed batch that opens the pooled connections.
fn measure<F, Fut>(rt: &Runtime, iters: u64, in_flight: usize, call: F) -> Duration
where
    F: Fn(Fixture) -> Fut + Send + Copy + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    rt.block_on(on_workers(async move {
        let fixture = Fixture::start().await;
        batch(&fixture, in_flight, call).await;
        let started = Instant::now();
        for _ in 0..iters {
            batch(&fixture, in_flight, call).await;
        }
        let elapsed = started.elapsed();
        fixture.server.shutdown().await;
        elapsed
    }))
}

/// One request awaited in place, or `in_flight` requests each in its own task.
async fn batch<F, Fut>(fixture: &Fixture, in_flight: usize, call: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if in_flight == 1 {
        return call(fixture.clone()).await;
    }
    let mut tasks = JoinSet::new();
    for _ in 0..in_flight {
        tasks.spawn(call(fixture.clone()));
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a request task panicked");
    }
}

/// Runs `future` as a task on the runtime's two workers rather than on the bench thread, so
/// the client never gets a third core the server lacks.
async fn on_workers<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> T {
    tokio::spawn(future).await.expect("the bench task panicked")
}

criterion_group!(benches, transport);
criterion_main!(benches);
