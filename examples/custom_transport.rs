//! A custom transport in a few lines: wrap the default `HyperTransport` and log each call's
//! latency with `tracing`.
//!
//! Runs against the fake Bot API server (telegram-test) when `TELEGRAM_BOT_TOKEN` is unset;
//! with a token it calls api.telegram.org (and sends a message when `TELEGRAM_CHAT_ID` is set).
//!
//! ```text
//! cargo run -p examples --example custom_transport
//! ```

use std::time::Instant;

use async_trait::async_trait;
use telegram_transport::{
    Bot, DownloadResponse, HyperTransport, Transport, TransportError, TransportRequest,
    TransportResponse,
};

/// Any transport, with each call's latency logged.
#[derive(Debug)]
struct LatencyLogging<T>(T);

#[async_trait]
impl<T: Transport> Transport for LatencyLogging<T> {
    async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError> {
        let method = request.method.clone();
        let started = Instant::now();
        let result = self.0.send(request).await;
        match &result {
            Ok(response) => {
                tracing::info!(%method, status = response.status, elapsed = ?started.elapsed(), "api call")
            }
            Err(error) => {
                tracing::warn!(%method, %error, elapsed = ?started.elapsed(), "api call failed")
            }
        }
        result
    }

    async fn download(&self, url: String) -> Result<DownloadResponse, TransportError> {
        self.0.download(url).await
    }
}

#[tokio::main]
async fn main() -> Result<(), telegram_transport::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    let transport = LatencyLogging(HyperTransport::new());
    let (bot, chat, _server) = match std::env::var("TELEGRAM_BOT_TOKEN") {
        Ok(token) => {
            let chat = std::env::var("TELEGRAM_CHAT_ID")
                .ok()
                .and_then(|id| id.parse::<i64>().ok());
            (Bot::with_transport(token, transport), chat, None)
        }
        Err(_) => {
            tracing::info!("TELEGRAM_BOT_TOKEN is unset: using the fake Bot API server");
            let server = telegram_test::FakeBotApi::start().await;
            let chat = server.user("alice").chat_id();
            let bot = Bot::with_transport(server.token(), transport).with_api_url(server.url());
            (bot, Some(chat), Some(server))
        }
    };

    let me = bot.get_me().await?;
    tracing::info!(username = ?me.username, "logged in");
    if let Some(chat) = chat {
        for i in 1..=3 {
            bot.send_message(chat, format!("hello #{i} from a custom transport"))
                .await?;
        }
    }
    Ok(())
}
