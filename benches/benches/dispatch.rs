//! Dispatch throughput: corpus updates through 10 handlers in 2 groups, on one core; and
//! decode + dispatch of whole getUpdates bodies.
//!
//! `cargo bench -p benches --bench dispatch`
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use telegram_ext::handlers::{
    CallbackQueryHandler, ChatMemberHandler, CommandHandler, InlineQueryHandler, MessageHandler,
    Pattern, PollAnswerHandler, TypeHandler,
};
use telegram_ext::{filters, Application, Context, HandlerResult, Update};

/// Handled updates, so the work cannot be optimised away.
#[derive(Default)]
struct Counter(AtomicU64);

async fn count(_: Arc<Update>, ctx: Context<Counter>) -> HandlerResult {
    ctx.state.0.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

fn application() -> Application<Counter> {
    let app = Application::builder()
        .token("1:bench")
        .state(Counter::default())
        .build()
        .expect("builds");
    app.add_handler(CommandHandler::new("start", count).expect("valid"), 0);
    app.add_handler(CommandHandler::new("help", count).expect("valid"), 0);
    app.add_handler(
        MessageHandler::new(filters::TEXT & !filters::COMMAND, count),
        0,
    );
    app.add_handler(
        MessageHandler::new(filters::PHOTO | filters::DOCUMENT, count),
        0,
    );
    app.add_handler(
        MessageHandler::new(filters::STICKER | filters::VOICE, count),
        0,
    );
    let pattern = Pattern::regex(r"^(\w+):(\d+)$").expect("valid");
    app.add_handler(CallbackQueryHandler::new(count).pattern(pattern), 0);
    app.add_handler(InlineQueryHandler::new(count), 0);
    app.add_handler(
        ChatMemberHandler::new(count).chat_member_types(ChatMemberHandler::ANY_CHAT_MEMBER),
        0,
    );
    app.add_handler(PollAnswerHandler::new(count), 0);
    // Group 1: an audit handler that sees every update.
    app.add_handler(TypeHandler::new(|_: &Update| true, count), 1);
    app
}

fn dispatch(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let body = benches::get_updates_body(2000);
    let updates: Vec<Arc<Update>> = telegram_types::batch::decode_updates(&body)
        .expect("decodes")
        .result
        .expect("a result")
        .into_iter()
        .map(|u| Arc::new(u.expect("well-formed")))
        .collect();
    let app = application();

    let mut group = c.benchmark_group("dispatch");
    group.throughput(Throughput::Elements(updates.len() as u64));
    group.bench_function(
        BenchmarkId::new("process_update", "10 handlers, 2 groups"),
        |b| {
            b.iter(|| {
                runtime.block_on(async {
                    for update in &updates {
                        app.process_update(update.clone()).await;
                    }
                })
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("decode + process_update", "10 handlers, 2 groups"),
        |b| {
            b.iter_batched(
                || body.clone(),
                |bytes| {
                    runtime.block_on(async {
                        let batch = telegram_types::batch::decode_updates(&bytes).expect("decodes");
                        for update in batch.result.into_iter().flatten().flatten() {
                            app.process_update(update).await;
                        }
                    })
                },
                BatchSize::LargeInput,
            )
        },
    );
    group.finish();
    assert!(app.state().0.load(Ordering::Relaxed) > 0);
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
