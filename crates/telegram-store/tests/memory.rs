//! The conformance suite on [`MemoryStore`], on tokio's paused clock (its expiry clock).

use std::sync::Arc;

use telegram_store::{conformance, MemoryStore, Store};

#[tokio::test(start_paused = true)]
async fn memory_store_conforms() {
    conformance::run_all(|| async { Arc::new(MemoryStore::new()) as Arc<dyn Store> }).await;
}
