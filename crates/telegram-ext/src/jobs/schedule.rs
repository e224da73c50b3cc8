//! When a job runs: the schedule kinds (once, repeating, daily, monthly, custom) and the rules
//! for wall-clock times across DST changes and short months.
//!
//! The wall-clock rules (DST gaps and folds, short months) are documented in the `jobs`
//! module docs, where users see them.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// A custom schedule: when the occurrence after a given time is. For what the built-in kinds
/// do not cover (every second Tuesday, business days of a calendar, a cron expression parsed by
/// the crate of your choice).
///
/// Jobs with a custom schedule are kept in memory only (a schedule is code, not data); the
/// built-in kinds are persistent.
///
/// ```
/// use jiff::{Timestamp, ToSpan};
/// use telegram_ext::jobs::Schedule;
///
/// /// Every hour, on the hour.
/// #[derive(Debug)]
/// struct Hourly;
///
/// impl Schedule for Hourly {
///     fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
///         let hour = after.as_second().div_euclid(3600) + 1;
///         Timestamp::from_second(hour * 3600).ok()
///     }
/// }
/// let at: Timestamp = "2025-01-01T10:20:00Z".parse().unwrap();
/// assert_eq!(Hourly.next_after(at).unwrap().to_string(), "2025-01-01T11:00:00Z");
/// ```
pub trait Schedule: Send + Sync + fmt::Debug + 'static {
    /// The first occurrence strictly after `after`; `None` when there is none (the job ends).
    fn next_after(&self, after: Timestamp) -> Option<Timestamp>;
}

/// The days of the week a daily job runs on: a set of [`Weekday`]s.
///
/// ```
/// use jiff::civil::Weekday;
/// use telegram_ext::jobs::Weekdays;
///
/// let workdays = Weekdays::MONDAY_TO_FRIDAY;
/// assert!(workdays.contains(Weekday::Friday) && !workdays.contains(Weekday::Sunday));
/// assert_eq!(Weekdays::from_days([Weekday::Saturday, Weekday::Sunday]), Weekdays::WEEKEND);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Weekdays(u8);

impl Weekdays {
    /// Every day (the default).
    pub const ALL: Weekdays = Weekdays(0b111_1111);
    /// Monday to Friday.
    pub const MONDAY_TO_FRIDAY: Weekdays = Weekdays(0b001_1111);
    /// Saturday and Sunday.
    pub const WEEKEND: Weekdays = Weekdays(0b110_0000);

    /// The set of `days`.
    pub fn from_days(days: impl IntoIterator<Item = Weekday>) -> Self {
        Weekdays(days.into_iter().fold(0, |set, day| set | Self::bit(day)))
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & Self::bit(day) != 0
    }

    /// Whether the set is empty (a daily job on no day never runs).
    pub fn is_empty(self) -> bool {
        self.0 & Self::ALL.0 == 0
    }

    fn bit(day: Weekday) -> u8 {
        1 << day.to_monday_zero_offset()
    }
}

impl Default for Weekdays {
    fn default() -> Self {
        Weekdays::ALL
    }
}

/// What a monthly job on day 29–31 does in a month without that day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DayOverflow {
    /// Runs on the month's last day instead (the default).
    #[default]
    Clamp,
    /// Skips the month.
    Skip,
}

/// A job's schedule, as data (persisted with the job) or code (custom, memory only).
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Spec {
    Once {
        at: Timestamp,
    },
    /// Boxed: inline it would make every job's schedule (a one-shot's too) 56 bytes, not 24.
    Repeating(Box<Every>),
    Daily {
        time: Time,
        days: Weekdays,
        #[serde(with = "zone")]
        tz: TimeZone,
    },
    Monthly {
        day: i8,
        time: Time,
        #[serde(with = "zone")]
        tz: TimeZone,
        overflow: DayOverflow,
    },
    #[serde(skip)]
    Custom(Arc<dyn Schedule>),
}

/// How far ahead a calendar search looks before concluding there is no occurrence (a daily job
/// on no weekday, a monthly job on day 31 with `Skip` always finds one within this).
const SEARCH_DAYS: i32 = 8;
const SEARCH_MONTHS: i32 = 13;

/// A repeating schedule: `first + k × interval`, up to `last`. Stored with the same fields as
/// when it was inline in [`Spec`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Every {
    first: Timestamp,
    #[serde(with = "millis")]
    interval: Duration,
    last: Option<Timestamp>,
}

impl Spec {
    pub(crate) fn repeating(first: Timestamp, interval: Duration, last: Option<Timestamp>) -> Self {
        Spec::Repeating(Box::new(Every {
            first,
            interval,
            last,
        }))
    }

    /// The job's first occurrence for a job added at `now`: a one-shot's time and a repeating
    /// job's first run as given (even when past: the misfire policy decides), a calendar or
    /// custom schedule's first occurrence at or after `now`.
    pub(crate) fn first(&self, now: Timestamp) -> Option<Timestamp> {
        match self {
            Spec::Once { at } => Some(*at),
            Spec::Repeating(every) => {
                Some(every.first).filter(|f| every.last.is_none_or(|l| *f <= l))
            }
            _ => self.next_after(now.checked_sub(SignedDuration::from_nanos(1)).ok()?),
        }
    }

    /// The first occurrence strictly after `after`.
    pub(crate) fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        match self {
            Spec::Once { at } => Some(*at).filter(|at| *at > after),
            Spec::Repeating(every) => repeating_after(every.first, every.interval, after)
                .filter(|t| every.last.is_none_or(|l| *t <= l)),
            Spec::Daily { time, days, tz } => daily_after(*time, *days, tz, after),
            Spec::Monthly {
                day,
                time,
                tz,
                overflow,
            } => monthly_after(*day, *time, tz, *overflow, after),
            Spec::Custom(schedule) => schedule.next_after(after),
        }
    }

    /// Whether the schedule is data (persistable) rather than code.
    pub(crate) fn is_data(&self) -> bool {
        !matches!(self, Spec::Custom(_))
    }
}

fn repeating_after(first: Timestamp, interval: Duration, after: Timestamp) -> Option<Timestamp> {
    if first > after {
        return Some(first);
    }
    let step = i128::try_from(interval.as_nanos())
        .ok()
        .filter(|s| *s > 0)?;
    let since = after.as_nanosecond() - first.as_nanosecond();
    let steps = since / step + 1;
    Timestamp::from_nanosecond(first.as_nanosecond() + steps * step).ok()
}

/// `time` on `date` in `tz`, by the wall-clock rules of the module docs.
fn wall_time(date: Date, time: Time, tz: &TimeZone) -> Option<Timestamp> {
    tz.to_ambiguous_zoned(date.to_datetime(time))
        .compatible()
        .ok()
        .map(|zoned| zoned.timestamp())
}

fn daily_after(time: Time, days: Weekdays, tz: &TimeZone, after: Timestamp) -> Option<Timestamp> {
    let mut date = after.to_zoned(tz.clone()).date();
    for _ in 0..SEARCH_DAYS {
        if days.contains(date.weekday()) {
            if let Some(at) = wall_time(date, time, tz).filter(|at| *at > after) {
                return Some(at);
            }
        }
        date = date.tomorrow().ok()?;
    }
    None
}

/// The day of the month a monthly job runs on in the month of `first` (its first day), if any.
fn month_day(day: i8, overflow: DayOverflow, first: Date) -> Option<Date> {
    let last = first.days_in_month();
    let wanted = if day < 0 { last } else { day };
    let day = match (wanted > last, overflow) {
        (false, _) => wanted,
        (true, DayOverflow::Clamp) => last,
        (true, DayOverflow::Skip) => return None,
    };
    Date::new(first.year(), first.month(), day).ok()
}

fn monthly_after(
    day: i8,
    time: Time,
    tz: &TimeZone,
    overflow: DayOverflow,
    after: Timestamp,
) -> Option<Timestamp> {
    let mut month = after.to_zoned(tz.clone()).date().first_of_month();
    for _ in 0..SEARCH_MONTHS {
        if let Some(date) = month_day(day, overflow, month) {
            if let Some(at) = wall_time(date, time, tz).filter(|at| *at > after) {
                return Some(at);
            }
        }
        month = month.last_of_month().tomorrow().ok()?;
    }
    None
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Spec::Once { at } => f.debug_struct("Once").field("at", at).finish(),
            Spec::Repeating(every) => f
                .debug_struct("Repeating")
                .field("first", &every.first)
                .field("interval", &every.interval)
                .field("last", &every.last)
                .finish(),
            Spec::Daily { time, days, tz } => f
                .debug_struct("Daily")
                .field("time", time)
                .field("days", days)
                .field("tz", &tz.iana_name())
                .finish(),
            Spec::Monthly {
                day,
                time,
                tz,
                overflow,
            } => f
                .debug_struct("Monthly")
                .field("day", day)
                .field("time", time)
                .field("tz", &tz.iana_name())
                .field("overflow", overflow)
                .finish(),
            Spec::Custom(schedule) => f.debug_tuple("Custom").field(schedule).finish(),
        }
    }
}

/// A `Duration` as whole milliseconds.
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// A time zone as its IANA name (`"Europe/Berlin"`, `"UTC"`).
mod zone {
    use jiff::tz::TimeZone;
    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(tz: &TimeZone, s: S) -> Result<S::Ok, S::Error> {
        match tz.iana_name() {
            Some(name) => s.serialize_str(name),
            None => Err(S::Error::custom(
                "a persistent job needs a named time zone (IANA, e.g. \"Europe/Berlin\")",
            )),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TimeZone, D::Error> {
        let name = String::deserialize(d)?;
        TimeZone::get(&name).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    #[test]
    fn repeating_steps_from_first() {
        let spec = Spec::repeating(
            ts("2025-01-01T00:00:00Z"),
            Duration::from_secs(10),
            Some(ts("2025-01-01T00:00:30Z")),
        );
        assert_eq!(
            spec.next_after(ts("2024-12-31T00:00:00Z")),
            Some(ts("2025-01-01T00:00:00Z"))
        );
        assert_eq!(
            spec.next_after(ts("2025-01-01T00:00:00Z")),
            Some(ts("2025-01-01T00:00:10Z"))
        );
        assert_eq!(
            spec.next_after(ts("2025-01-01T00:00:15Z")),
            Some(ts("2025-01-01T00:00:20Z"))
        );
        assert_eq!(spec.next_after(ts("2025-01-01T00:00:30Z")), None);
    }

    #[test]
    fn daily_02_30_berlin_on_both_dst_days() {
        let spec = Spec::Daily {
            time: Time::constant(2, 30, 0, 0),
            days: Weekdays::ALL,
            tz: berlin(),
        };
        // Spring forward, 2025-03-30: 02:30 does not exist; it runs at 03:30 CEST = 01:30Z.
        assert_eq!(
            spec.next_after(ts("2025-03-29T12:00:00Z")),
            Some(ts("2025-03-30T01:30:00Z"))
        );
        // Fall back, 2025-10-26: 02:30 happens twice; it runs at the first (CEST, 00:30Z) only.
        let first = spec.next_after(ts("2025-10-25T12:00:00Z")).unwrap();
        assert_eq!(first, ts("2025-10-26T00:30:00Z"));
        assert_eq!(spec.next_after(first), Some(ts("2025-10-27T01:30:00Z")));
    }

    #[test]
    fn serializes_as_data_and_back() {
        let spec = Spec::Monthly {
            day: -1,
            time: Time::constant(9, 0, 0, 0),
            tz: berlin(),
            overflow: DayOverflow::Clamp,
        };
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"monthly","day":-1,"time":"09:00:00","tz":"Europe/Berlin","overflow":"clamp"}"#
        );
        let back: Spec = serde_json::from_str(&json).unwrap();
        let after = ts("2025-02-01T00:00:00Z");
        assert_eq!(back.next_after(after), spec.next_after(after));
    }

    #[test]
    fn a_boxed_repeating_schedule_keeps_the_stored_format() {
        // The format of records written when `Repeating` was a struct variant.
        let stored =
            r#"{"kind":"repeating","first":"2025-01-01T00:00:00Z","interval":10000,"last":null}"#;
        let spec: Spec = serde_json::from_str(stored).unwrap();
        assert_eq!(serde_json::to_string(&spec).unwrap(), stored);
        assert_eq!(
            spec.next_after(ts("2025-01-01T00:00:00Z")),
            Some(ts("2025-01-01T00:00:10Z"))
        );
    }
}
