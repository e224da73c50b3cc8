//! Sending one call: encode once, pass the rate limiter (when the bot has one) before each
//! attempt, send through the transport, decode, and repeat per the
//! [`RetryPolicy`](crate::RetryPolicy) while the body can be replayed.

use std::time::Duration;

use telegram_types::Method;

use super::encode::encode;
use super::Bot;
use crate::error::Error;
use crate::flood::CallTarget;
use crate::payload::{long_poll_timeout, Decoded};
use crate::transport::TransportRequest;

/// How much longer than its poll timeout a long poll may take before the transport gives up.
const LONG_POLL_MARGIN: Duration = Duration::from_secs(10);

/// Sends `payload` and decodes the answer with `decode`, retrying as the bot's policy says.
pub(crate) async fn execute<P: Method, R>(
    bot: &Bot,
    payload: &P,
    decode: fn(&[u8]) -> Decoded<R>,
    timeout: Option<Duration>,
) -> Result<R, Error> {
    let request = transport_request(bot, payload, timeout)?;
    let replayable = request.body.is_replayable();
    let policy = bot.retry_policy();
    let limiter = bot.rate_limiter();
    let target = limiter.map(|_| CallTarget::of(payload));
    let mut attempt = 0;
    let mut waited = Duration::ZERO;
    loop {
        let admission = match (limiter, &target) {
            (Some(limiter), Some(target)) => Some(limiter.admit(bot, target).await?),
            _ => None,
        };
        let error = match send_once(bot, request.clone(), decode).await {
            Ok(result) => return Ok(result),
            Err(error) => error,
        };
        if let (Some(limiter), Some(admission), true) = (limiter, &admission, error.is_flood()) {
            let retry_after = error.retry_after().unwrap_or(Duration::from_secs(1));
            limiter.flooded(admission, retry_after);
        }
        attempt += 1;
        if attempt > policy.max_retries() {
            return Err(error);
        }
        let Some(delay) = policy.delay(P::NAME, &error, attempt) else {
            return Err(error);
        };
        if !replayable {
            tracing::debug!(method = P::NAME, "not retrying: the body streams an upload");
            return Err(error);
        }
        if waited + delay > policy.max_total_wait() {
            tracing::warn!(
                method = P::NAME,
                ?delay,
                "not retrying: over the total wait"
            );
            return Err(error);
        }
        tracing::warn!(method = P::NAME, attempt, ?delay, error = %error, "retrying");
        tokio::time::sleep(delay).await;
        waited += delay;
    }
}

/// Sends `payload` once, without the rate limiter or retries: the limiter's own lookups.
pub(crate) async fn send_unlimited<P: Method>(bot: &Bot, payload: &P) -> Result<P::Output, Error> {
    let request = transport_request(bot, payload, None)?;
    send_once(bot, request, crate::payload::decode_envelope::<P::Output>).await
}

fn transport_request<P: Method>(
    bot: &Bot,
    payload: &P,
    timeout: Option<Duration>,
) -> Result<TransportRequest, Error> {
    let long_poll = long_poll_timeout(payload);
    Ok(TransportRequest {
        method: P::NAME.to_owned(),
        url: bot.method_url(P::NAME),
        body: encode(payload)?,
        timeout: timeout.or(long_poll.map(|poll| poll + LONG_POLL_MARGIN)),
        long_poll: long_poll.is_some(),
    })
}

async fn send_once<R>(
    bot: &Bot,
    request: TransportRequest,
    decode: fn(&[u8]) -> Decoded<R>,
) -> Result<R, Error> {
    let response = bot.transport().send(request).await?;
    // The decoder parses its own padded copy; the body stays as received for the error.
    match decode(&response.body) {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(api)) => Err(Error::from_response(api)),
        Err(error) => Err(Error::Decode {
            error,
            status: response.status,
            body: response.body,
        }),
    }
}
