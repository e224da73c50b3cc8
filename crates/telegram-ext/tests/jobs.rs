//! The job queue in one process: every schedule kind fires when it should (DST days in
//! Europe/Berlin and America/New_York, the end of February in leap and common years), pause /
//! resume / cancel, the misfire policies after a late start, the calendar edges, and errors.
//!
//! Deterministic: tokio's paused time with the job clock anchored to a fixed wall time, so
//! each run's wall time is exact.

mod jobs_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::civil::{time, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use jobs_support::{advance, app_at, app_with, record, start, ts, Log};
use telegram_ext::jobs::{
    named, DayOverflow, Job, JobError, JobQueueConfig, Misfire, Schedule, Weekdays,
};
use telegram_ext::{Context, HandlerResult, Update, UpdateKind};

/// No other process shares these stores: sync once a day (a sync every 10 s of virtual time
/// costs real time over months of it).
fn config() -> JobQueueConfig {
    JobQueueConfig::new().sync_interval(Duration::from_secs(24 * 3600))
}

#[tokio::test(start_paused = true)]
async fn once_fires_after_a_delay_and_at_an_instant() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    start(&app).await;
    let queue = app.job_queue();
    queue
        .run_once(record, Duration::from_secs(90))
        .name("after")
        .await
        .unwrap();
    queue
        .run_once(record, ts("2025-01-01T01:00:00Z"))
        .name("at")
        .await
        .unwrap();
    advance(3600 * 2).await;
    assert_eq!(log.times("after"), ["2025-01-01T00:01:30Z"]);
    assert_eq!(log.times("at"), ["2025-01-01T01:00:00Z"]);
    assert!(
        queue.is_empty(),
        "one-shot jobs leave the queue after their run"
    );
}

#[tokio::test(start_paused = true)]
async fn repeating_fires_every_interval_from_first_until_last() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    start(&app).await;
    let job = app
        .job_queue()
        .run_repeating(record, Duration::from_secs(10))
        .first(Duration::from_secs(5))
        .last(ts("2025-01-01T00:00:35Z"))
        .name("tick")
        .await
        .unwrap();
    assert_eq!(job.next_run(), Some(ts("2025-01-01T00:00:05Z")));
    advance(60).await;
    assert_eq!(
        log.times("tick"),
        [
            "2025-01-01T00:00:05Z",
            "2025-01-01T00:00:15Z",
            "2025-01-01T00:00:25Z",
            "2025-01-01T00:00:35Z"
        ]
    );
    assert_eq!(job.next_run(), None);
}

/// Runs a daily job at `at` in `zone` over three days starting at `start`.
async fn daily_runs(zone: &str, at: jiff::civil::Time, start_at: &str) -> Vec<String> {
    let log = Arc::new(Log::default());
    let tz = TimeZone::get(zone).unwrap();
    let app = app_at(start_at, log.clone(), config().time_zone(tz));
    start(&app).await;
    app.job_queue()
        .run_daily(record, at, Weekdays::ALL)
        .name("daily")
        .await
        .unwrap();
    advance(3 * 24 * 3600).await;
    log.times("daily")
}

#[tokio::test(start_paused = true)]
async fn daily_in_berlin_across_spring_forward_runs_after_the_gap() {
    // 2025-03-30: 02:00 CET → 03:00 CEST. 02:30 does not exist: it runs at 03:30 CEST.
    let runs = daily_runs("Europe/Berlin", time(2, 30, 0, 0), "2025-03-29T00:00:00Z").await;
    assert_eq!(
        runs,
        [
            "2025-03-29T01:30:00Z",
            "2025-03-30T01:30:00Z",
            "2025-03-31T00:30:00Z"
        ],
        "02:30 CET, then 03:30 CEST (shifted by the gap), then 02:30 CEST"
    );
}

#[tokio::test(start_paused = true)]
async fn daily_in_berlin_across_fall_back_runs_once_at_the_first_occurrence() {
    // 2025-10-26: 03:00 CEST → 02:00 CET. 02:30 happens twice: it runs at the first only.
    let runs = daily_runs("Europe/Berlin", time(2, 30, 0, 0), "2025-10-25T00:00:00Z").await;
    assert_eq!(
        runs,
        [
            "2025-10-25T00:30:00Z",
            "2025-10-26T00:30:00Z",
            "2025-10-27T01:30:00Z"
        ],
        "02:30 CEST, 02:30 CEST (not again at 02:30 CET), then 02:30 CET"
    );
}

#[tokio::test(start_paused = true)]
async fn daily_in_new_york_across_both_transitions() {
    // 2025-03-09: 02:00 EST → 03:00 EDT; 02:30 runs at 03:30 EDT (07:30Z).
    let spring = daily_runs(
        "America/New_York",
        time(2, 30, 0, 0),
        "2025-03-08T00:00:00Z",
    )
    .await;
    assert_eq!(
        spring,
        [
            "2025-03-08T07:30:00Z",
            "2025-03-09T07:30:00Z",
            "2025-03-10T06:30:00Z"
        ]
    );
    // 2025-11-02: 02:00 EDT → 01:00 EST; 01:30 happens twice, runs at the first (05:30Z) only.
    let fall = daily_runs(
        "America/New_York",
        time(1, 30, 0, 0),
        "2025-11-01T00:00:00Z",
    )
    .await;
    assert_eq!(
        fall,
        [
            "2025-11-01T05:30:00Z",
            "2025-11-02T05:30:00Z",
            "2025-11-03T06:30:00Z"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn daily_runs_on_the_given_weekdays_only() {
    let log = Arc::new(Log::default());
    // 2025-01-03 is a Friday.
    let app = app_at("2025-01-03T00:00:00Z", log.clone(), config());
    start(&app).await;
    app.job_queue()
        .run_daily(
            record,
            time(9, 0, 0, 0),
            Weekdays::from_days([Weekday::Friday, Weekday::Monday]),
        )
        .name("fri-mon")
        .await
        .unwrap();
    advance(8 * 24 * 3600).await;
    assert_eq!(
        log.times("fri-mon"),
        [
            "2025-01-03T09:00:00Z",
            "2025-01-06T09:00:00Z",
            "2025-01-10T09:00:00Z"
        ]
    );
}

/// Runs monthly jobs on `day` from `start_at` for `days`; returns their run times.
async fn monthly_runs(day: i8, overflow: DayOverflow, start_at: &str, days: u64) -> Vec<String> {
    let log = Arc::new(Log::default());
    let app = app_at(start_at, log.clone(), config());
    start(&app).await;
    app.job_queue()
        .run_monthly(record, day, time(9, 0, 0, 0))
        .day_overflow(overflow)
        .name("monthly")
        .await
        .unwrap();
    advance(days * 24 * 3600).await;
    log.times("monthly")
}

#[tokio::test(start_paused = true)]
async fn monthly_last_day_in_leap_and_common_february() {
    let leap = monthly_runs(-1, DayOverflow::Clamp, "2024-02-01T00:00:00Z", 60).await;
    assert_eq!(leap, ["2024-02-29T09:00:00Z", "2024-03-31T09:00:00Z"]);
    let common = monthly_runs(-1, DayOverflow::Clamp, "2025-02-01T00:00:00Z", 60).await;
    assert_eq!(common, ["2025-02-28T09:00:00Z", "2025-03-31T09:00:00Z"]);
}

#[tokio::test(start_paused = true)]
async fn monthly_on_day_31_clamps_to_short_months_by_default_or_skips_them() {
    let clamp = monthly_runs(31, DayOverflow::Clamp, "2025-01-15T00:00:00Z", 106).await;
    assert_eq!(
        clamp,
        [
            "2025-01-31T09:00:00Z",
            "2025-02-28T09:00:00Z",
            "2025-03-31T09:00:00Z",
            "2025-04-30T09:00:00Z"
        ]
    );
    let skip = monthly_runs(30, DayOverflow::Skip, "2025-01-15T00:00:00Z", 80).await;
    assert_eq!(skip, ["2025-01-30T09:00:00Z", "2025-03-30T09:00:00Z"]);
    let leap = monthly_runs(29, DayOverflow::Clamp, "2024-02-01T00:00:00Z", 30).await;
    assert_eq!(leap, ["2024-02-29T09:00:00Z"]);
}

/// Every 7 minutes after the hour.
#[derive(Debug)]
struct SevenPast;

impl Schedule for SevenPast {
    fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        let hour = after.as_second().div_euclid(3600);
        let this = hour * 3600 + 7 * 60;
        Timestamp::from_second(if this > after.as_second() {
            this
        } else {
            this + 3600
        })
        .ok()
    }
}

#[tokio::test(start_paused = true)]
async fn custom_schedule_fires_when_it_says() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:30:00Z", log.clone(), config());
    start(&app).await;
    app.job_queue()
        .run_custom(record, SevenPast)
        .name("custom")
        .await
        .unwrap();
    advance(2 * 3600).await;
    assert_eq!(
        log.times("custom"),
        ["2025-01-01T01:07:00Z", "2025-01-01T02:07:00Z"]
    );
}

#[tokio::test(start_paused = true)]
async fn pause_resume_and_cancel() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    start(&app).await;
    let job = app
        .job_queue()
        .run_repeating(record, Duration::from_secs(10))
        .name("r")
        .await
        .unwrap();
    advance(25).await; // runs at 10, 20
    job.pause().await.unwrap();
    assert!(!job.is_enabled());
    advance(30).await; // 30, 40, 50 pass while paused
    assert_eq!(log.times("r").len(), 2);
    job.resume().await.unwrap(); // at 55: the missed occurrences coalesce into one run now
    advance(10).await; // and 60 runs on time
    assert_eq!(
        log.times("r"),
        [
            "2025-01-01T00:00:10Z",
            "2025-01-01T00:00:20Z",
            "2025-01-01T00:00:55Z",
            "2025-01-01T00:01:00Z"
        ]
    );
    assert_eq!(
        log.scheduled("r")[2],
        "2025-01-01T00:00:50Z",
        "the late run is for the latest missed occurrence"
    );
    assert!(job.cancel().await.unwrap());
    assert!(
        !job.cancel().await.unwrap(),
        "a second cancel finds nothing"
    );
    advance(60).await;
    assert_eq!(log.times("r").len(), 4);
    assert_eq!(job.next_run(), None);
}

/// Adds the three policies' repeating jobs (every minute from 00:01) before start, starts 3.5
/// minutes late, returns what ran by 00:05:00.
#[tokio::test(start_paused = true)]
async fn misfire_policies_after_a_late_start() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    let queue = app.job_queue();
    for (name, policy) in [
        ("coalesce", Misfire::Coalesce),
        ("skip", Misfire::Skip),
        ("all", Misfire::RunAll),
    ] {
        queue
            .run_repeating(record, Duration::from_secs(60))
            .misfire(policy)
            .name(name)
            .await
            .unwrap();
    }
    // The process "starts" 3.5 minutes late: nothing fires before `start`.
    advance(210).await;
    assert!(log.runs.lock().unwrap().is_empty());
    start(&app).await;
    advance(91).await; // past 00:05:00
    assert_eq!(
        log.times("coalesce"),
        [
            "2025-01-01T00:03:30Z",
            "2025-01-01T00:04:00Z",
            "2025-01-01T00:05:00Z"
        ]
    );
    assert_eq!(log.scheduled("coalesce")[0], "2025-01-01T00:03:00Z");
    assert_eq!(
        log.times("skip"),
        ["2025-01-01T00:04:00Z", "2025-01-01T00:05:00Z"]
    );
    assert_eq!(
        log.scheduled("all"),
        [
            "2025-01-01T00:01:00Z",
            "2025-01-01T00:02:00Z",
            "2025-01-01T00:03:00Z",
            "2025-01-01T00:04:00Z",
            "2025-01-01T00:05:00Z"
        ]
    );
    assert_eq!(log.times("all")[..3], ["2025-01-01T00:03:30Z"; 3]);
}

#[tokio::test(start_paused = true)]
async fn skip_runs_a_slightly_late_occurrence_within_the_grace_period() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    app.job_queue()
        .run_once(record, Duration::from_secs(10))
        .misfire(Misfire::Skip)
        .grace(Duration::from_secs(5))
        .name("graced")
        .await
        .unwrap();
    advance(13).await;
    start(&app).await;
    advance(1).await;
    assert_eq!(log.times("graced"), ["2025-01-01T00:00:13Z"]);
}

#[tokio::test(start_paused = true)]
async fn first_run_at_now_runs_at_once() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    start(&app).await;
    let queue = app.job_queue();
    queue
        .run_repeating(record, Duration::from_secs(60))
        .first(queue.clock().now())
        .misfire(Misfire::Skip)
        .name("now")
        .await
        .unwrap();
    tokio::task::yield_now().await;
    advance(0).await;
    assert_eq!(log.times("now"), ["2025-01-01T00:00:00Z"]);
}

#[derive(Default)]
struct Slow {
    started: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

async fn slow(_job: Job, ctx: Context<Arc<Slow>>) -> HandlerResult {
    ctx.state.started.fetch_add(1, Ordering::SeqCst);
    let now = ctx.state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    ctx.state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    ctx.state.in_flight.fetch_sub(1, Ordering::SeqCst);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_callback_outlasting_its_interval_overlaps_and_skips_nothing() {
    let state = Arc::new(Slow::default());
    let app = app_with("2025-01-01T00:00:00Z", state.clone(), config());
    start(&app).await;
    app.job_queue()
        .run_repeating(slow, Duration::from_secs(1))
        .last(ts("2025-01-01T00:00:05Z"))
        .await
        .unwrap();
    advance(10).await;
    assert_eq!(
        state.started.load(Ordering::SeqCst),
        5,
        "every occurrence started"
    );
    assert_eq!(
        state.max_in_flight.load(Ordering::SeqCst),
        3,
        "2.5 s runs every 1 s overlap by up to 3"
    );
    assert_eq!(state.in_flight.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn a_one_shot_resumed_after_its_time_runs_at_once_or_is_skipped_per_policy() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    start(&app).await;
    let queue = app.job_queue();
    let late = queue
        .run_once(record, Duration::from_secs(10))
        .name("coalesce")
        .paused()
        .await
        .unwrap();
    let skipped = queue
        .run_once(record, Duration::from_secs(10))
        .name("skip")
        .misfire(Misfire::Skip)
        .paused()
        .await
        .unwrap();
    advance(60).await;
    assert!(
        log.runs.lock().unwrap().is_empty(),
        "paused jobs do not run"
    );
    late.resume().await.unwrap();
    skipped.resume().await.unwrap();
    advance(1).await;
    assert_eq!(log.times("coalesce"), ["2025-01-01T00:01:00Z"]);
    assert_eq!(log.scheduled("coalesce"), ["2025-01-01T00:00:10Z"]);
    assert!(log.times("skip").is_empty());
    assert!(queue.is_empty(), "both one-shot jobs ended");
}

#[derive(Default)]
struct Errors {
    seen: Mutex<Vec<(String, String)>>,
}

async fn fails(job: Job, _ctx: Context<Arc<Errors>>) -> HandlerResult {
    if job.name() == "panics" {
        panic!("boom");
    }
    Err(telegram_ext::HandlerError::msg("no luck"))
}

async fn on_error(update: Arc<Update>, ctx: Context<Arc<Errors>>) -> HandlerResult {
    let UpdateKind::Unknown { kind, raw } = &update.kind else {
        panic!("job errors come with a job update");
    };
    assert_eq!(kind, "job");
    let name = raw["job_name"].as_str().unwrap_or_default().to_owned();
    let error = ctx
        .error
        .as_ref()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ctx.state.seen.lock().unwrap().push((name, error));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn errors_and_panics_reach_the_error_handlers() {
    let state = Arc::new(Errors::default());
    let app = app_with("2025-01-01T00:00:00Z", state.clone(), config());
    app.add_error_handler(on_error);
    start(&app).await;
    let queue = app.job_queue();
    queue
        .run_once(fails, Duration::from_secs(1))
        .name("errs")
        .await
        .unwrap();
    queue
        .run_once(fails, Duration::from_secs(2))
        .name("panics")
        .await
        .unwrap();
    advance(3).await;
    let seen = state.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            ("errs".to_owned(), "no luck".to_owned()),
            ("panics".to_owned(), "handler panicked: boom".to_owned())
        ]
    );
}

async fn long_job(_job: Job, ctx: Context<Arc<Slow>>) -> HandlerResult {
    tokio::time::sleep(Duration::from_secs(5)).await;
    ctx.state.started.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_graceful_stop_awaits_running_jobs_and_fires_no_more() {
    let state = Arc::new(Slow::default());
    let app = app_with("2025-01-01T00:00:00Z", state.clone(), config());
    start(&app).await;
    app.job_queue()
        .run_repeating(long_job, Duration::from_secs(1))
        .await
        .unwrap();
    advance(1).await; // the first run starts
    tokio::task::yield_now().await;
    app.stop().await;
    assert_eq!(
        state.started.load(Ordering::SeqCst),
        1,
        "stop waited for the running job"
    );
    advance(60).await;
    assert_eq!(
        state.started.load(Ordering::SeqCst),
        1,
        "no job fires after the stop"
    );
}

#[tokio::test(start_paused = true)]
async fn lookups_by_name_and_replacement_by_id() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    let queue = app.job_queue();
    for chat in [1, 2] {
        queue
            .run_once(record, Duration::from_secs(60))
            .id(format!("alarm:{chat}"))
            .name("alarm")
            .chat_id(chat)
            .data(&serde_json::json!({"text": "wake up"}))
            .await
            .unwrap();
    }
    queue
        .run_once(record, Duration::from_secs(120))
        .id("alarm:1")
        .name("alarm")
        .await
        .unwrap();
    let alarms = queue.jobs_named("alarm");
    assert_eq!(alarms.len(), 2, "same id replaces");
    assert_eq!(
        queue.job("alarm:1").unwrap().next_run(),
        Some(ts("2025-01-01T00:02:00Z"))
    );
    let second = queue.job("alarm:2").unwrap();
    assert_eq!(second.chat_id(), Some(2));
    assert_eq!(
        second.data::<serde_json::Value>().unwrap()["text"],
        "wake up"
    );
    assert!(matches!(second.data::<u32>(), Err(JobError::Data(_))));
    assert!(queue.jobs_named("nothing").is_empty());
}

#[tokio::test(start_paused = true)]
async fn bad_jobs_are_refused_with_a_clear_error() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    let queue = app.job_queue();
    let unknown = queue.run_once(named("nope"), Duration::from_secs(1)).await;
    assert!(matches!(unknown, Err(JobError::UnknownCallback(name)) if name == "nope"));
    app.register_job("record", record);
    let custom = queue.run_custom(named("record"), SevenPast).await;
    assert!(matches!(custom, Err(JobError::NotPersistable)));
    let zero = queue.run_repeating(record, Duration::ZERO).await;
    assert!(matches!(zero, Err(JobError::NoOccurrence)));
    let no_day = queue
        .run_daily(record, time(9, 0, 0, 0), Weekdays::from_days([]))
        .await;
    assert!(matches!(no_day, Err(JobError::NoOccurrence)));
    let backwards = queue
        .run_repeating(record, Duration::from_secs(1))
        .first(ts("2025-01-02T00:00:00Z"))
        .last(ts("2025-01-01T00:00:00Z"))
        .await;
    assert!(matches!(backwards, Err(JobError::NoOccurrence)));
    let unnamed_zone = queue
        .run_daily(named("record"), time(9, 0, 0, 0), Weekdays::ALL)
        .time_zone(TimeZone::fixed(jiff::tz::offset(2)))
        .await;
    assert!(matches!(unnamed_zone, Err(JobError::Encode { .. })));
    assert!(queue.is_empty(), "nothing was added");
}

const RINGS: telegram_ext::data::ChatSlot<u32> = telegram_ext::data::ChatSlot::new("rings");

async fn ring_in_chat(_job: Job, ctx: Context<Arc<Log>>) -> HandlerResult {
    ctx.update(&RINGS, |n| *n += 1).await?;
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_job_callback_reaches_its_chats_data() {
    let log = Arc::new(Log::default());
    let app = app_at("2025-01-01T00:00:00Z", log.clone(), config());
    start(&app).await;
    app.job_queue()
        .run_repeating(ring_in_chat, Duration::from_secs(10))
        .chat_id(42)
        .await
        .unwrap();
    advance(25).await;
    assert_eq!(app.data().read(&RINGS, 42).await.unwrap(), Some(2));
    assert_eq!(app.data().read(&RINGS, 7).await.unwrap(), None);
}
