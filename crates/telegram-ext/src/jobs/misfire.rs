//! The misfire policy ([`Misfire`]): what a job does about occurrences whose time passed
//! while nothing could run them, and the decision it makes when a job's timer fires.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::schedule::Spec;

/// The most due occurrences [`Misfire::RunAll`] runs at once; older ones are dropped (logged).
pub const MAX_CATCH_UP: usize = 1000;

/// The default grace period: an occurrence starting up to this late is on time.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(1);

/// What a job does about occurrences whose time passed while nothing could run them (the
/// process was down, the job was paused, the runtime was starved).
///
/// An occurrence is *late* when it starts more than the job's grace period after its time
/// ([`DEFAULT_GRACE`], 1 s, unless set with `JobBuilder::grace`). When a job's timer fires,
/// every occurrence due by now is collected (up to [`MAX_CATCH_UP`]) and the policy decides
/// which of them run:
///
/// | policy | what runs |
/// | --- | --- |
/// | [`Coalesce`](Misfire::Coalesce) (default) | one run, for the latest due occurrence, however late |
/// | [`Skip`](Misfire::Skip) | the latest due occurrence if it is within the grace period; else none |
/// | [`RunAll`](Misfire::RunAll) | every due occurrence, oldest first, one after another |
///
/// Then the job's next occurrence is the first one after now. Whatever is dropped is logged
/// (`warn`): nothing is skipped silently. A run's [`Job::scheduled_at`](super::Job::scheduled_at)
/// is the occurrence it runs for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Misfire {
    /// Runs once for all the missed occurrences (the default): a reminder is sent late rather
    /// than never, and not ten times.
    #[default]
    Coalesce,
    /// Runs only when on time (within the grace period); missed occurrences are dropped.
    Skip,
    /// Runs every missed occurrence (up to [`MAX_CATCH_UP`]), oldest first.
    RunAll,
}

/// What to do when a job's timer fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    /// The occurrences to run now, oldest first.
    pub(crate) runs: Vec<Timestamp>,
    /// The job's next occurrence after them.
    pub(crate) next: Option<Timestamp>,
}

/// Applies `policy` to a job whose pending occurrence is `due`, at `now`.
pub(crate) fn decide(
    spec: &Spec,
    policy: Misfire,
    grace: Duration,
    due: Timestamp,
    now: Timestamp,
) -> Decision {
    let mut due_now = Vec::new();
    let mut at = Some(due);
    while let Some(t) = at.filter(|t| *t <= now) {
        if due_now.len() == MAX_CATCH_UP {
            break;
        }
        due_now.push(t);
        at = spec.next_after(t);
    }
    let next = match at {
        Some(t) if t > now => Some(t),
        Some(_) => spec.next_after(now),
        None => None,
    };
    let Some(&latest) = due_now.last() else {
        return Decision {
            runs: due_now,
            next,
        };
    };
    let grace = SignedDuration::try_from(grace).unwrap_or(SignedDuration::MAX);
    let on_time = now.duration_since(latest) <= grace;
    let missed = due_now.len() - usize::from(on_time);
    let runs = match policy {
        Misfire::Coalesce => vec![latest],
        Misfire::Skip if on_time => vec![latest],
        Misfire::Skip => Vec::new(),
        Misfire::RunAll => due_now,
    };
    if missed > 0 {
        tracing::warn!(
            missed,
            running = runs.len(),
            ?policy,
            first_missed = %due,
            "job occurrences were missed"
        );
    }
    Decision { runs, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn every_minute() -> Spec {
        Spec::repeating(ts("2025-01-01T00:00:00Z"), Duration::from_secs(60), None)
    }

    #[test]
    fn on_time_runs_once_under_every_policy() {
        let now = ts("2025-01-01T00:00:00.5Z");
        for policy in [Misfire::Coalesce, Misfire::Skip, Misfire::RunAll] {
            let d = decide(
                &every_minute(),
                policy,
                DEFAULT_GRACE,
                ts("2025-01-01T00:00:00Z"),
                now,
            );
            assert_eq!(d.runs, vec![ts("2025-01-01T00:00:00Z")], "{policy:?}");
            assert_eq!(d.next, Some(ts("2025-01-01T00:01:00Z")));
        }
    }

    #[test]
    fn three_and_a_half_minutes_late() {
        let due = ts("2025-01-01T00:00:00Z");
        let now = ts("2025-01-01T00:03:30Z");
        let spec = every_minute();
        let coalesce = decide(&spec, Misfire::Coalesce, DEFAULT_GRACE, due, now);
        assert_eq!(coalesce.runs, vec![ts("2025-01-01T00:03:00Z")]);
        assert_eq!(coalesce.next, Some(ts("2025-01-01T00:04:00Z")));
        let skip = decide(&spec, Misfire::Skip, DEFAULT_GRACE, due, now);
        assert!(skip.runs.is_empty());
        assert_eq!(skip.next, Some(ts("2025-01-01T00:04:00Z")));
        let all = decide(&spec, Misfire::RunAll, DEFAULT_GRACE, due, now);
        assert_eq!(all.runs.len(), 4);
        assert_eq!(all.runs[0], due);
    }

    #[test]
    fn run_all_is_bounded() {
        let due = ts("2025-01-01T00:00:00Z");
        let now = ts("2025-02-01T00:00:00Z");
        let all = decide(&every_minute(), Misfire::RunAll, DEFAULT_GRACE, due, now);
        assert_eq!(all.runs.len(), MAX_CATCH_UP);
        assert_eq!(all.next, Some(ts("2025-02-01T00:01:00Z")));
    }
}
