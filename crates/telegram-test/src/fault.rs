//! Deterministic fault injection: [`Fault`] says what goes wrong, [`Schedule`] says which calls
//! of a method it hits. The table of active rules lives here; `http` applies the chosen faults.

use std::time::Duration;

/// What goes wrong with a call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The call runs, then its answer is held back this long.
    Latency(Duration),
    /// HTTP 429 `Too Many Requests: retry after N` with `parameters.retry_after`; not executed.
    RetryAfter(u32),
    /// This HTTP status (5xx expected) with a JSON error body; not executed.
    ServerError(u16),
    /// The connection is closed without an answer; not executed.
    DropConnection,
    /// The call runs; its answer body is streamed in small chunks with this delay between them.
    SlowBody {
        /// Delay before each chunk.
        chunk_delay: Duration,
    },
}

impl Fault {
    /// Does the call still run (and get recorded as delivered) under this fault?
    #[must_use]
    pub fn executes_call(&self) -> bool {
        matches!(self, Self::Latency(_) | Self::SlowBody { .. })
    }
}

/// Which calls of a method a fault hits. Calls are counted per rule from the moment the rule is
/// injected, so schedules are deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Schedule {
    /// Every call.
    Always,
    /// The next `n` calls.
    Times(u32),
    /// Calls number `n`, `2n`, `3n`, … (so `EveryNth(10)` hits 10 % of the calls).
    EveryNth(u32),
}

/// One injected rule and its counters.
#[derive(Debug)]
struct FaultRule {
    /// Lowercased method name, or `*` for every method.
    method: String,
    fault: Fault,
    schedule: Schedule,
    /// Matching calls seen so far.
    calls: u64,
    /// Times this rule fired.
    fired: u64,
}

impl FaultRule {
    /// Counts a matching call and says whether the fault hits it.
    fn hit(&mut self) -> bool {
        self.calls += 1;
        let fires = match self.schedule {
            Schedule::Always => true,
            Schedule::Times(n) => self.fired < u64::from(n),
            Schedule::EveryNth(n) => n != 0 && self.calls % u64::from(n) == 0,
        };
        if fires {
            self.fired += 1;
        }
        fires
    }
}

/// The active fault rules of a server.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    rules: Vec<FaultRule>,
}

/// The faults chosen for one call.
#[derive(Debug, Default)]
pub(crate) struct ChosenFaults {
    /// Total latency to add before answering.
    pub(crate) latency: Duration,
    /// Slow-body streaming delay, if any.
    pub(crate) slow_body: Option<Duration>,
    /// The first fault that stops the call from running, if any.
    pub(crate) blocking: Option<Fault>,
}

impl ChosenFaults {
    /// The single fault to record on the request: the blocking one, else latency or slow body.
    pub(crate) fn recorded(&self) -> Option<Fault> {
        if let Some(fault) = &self.blocking {
            return Some(fault.clone());
        }
        if let Some(chunk_delay) = self.slow_body {
            return Some(Fault::SlowBody { chunk_delay });
        }
        (!self.latency.is_zero()).then_some(Fault::Latency(self.latency))
    }
}

impl FaultTable {
    /// Adds a rule for `method` (case-insensitive; `*` means every method).
    pub(crate) fn inject(&mut self, method: &str, fault: Fault, schedule: Schedule) {
        self.rules.push(FaultRule {
            method: method.to_ascii_lowercase(),
            fault,
            schedule,
            calls: 0,
            fired: 0,
        });
    }

    /// Removes every rule.
    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// Counts a call of `method` against every matching rule and returns the faults that hit it.
    pub(crate) fn choose(&mut self, method: &str) -> ChosenFaults {
        let method = method.to_ascii_lowercase();
        let mut chosen = ChosenFaults::default();
        for rule in &mut self.rules {
            if (rule.method == "*" || rule.method == method) && rule.hit() {
                match &rule.fault {
                    Fault::Latency(d) => chosen.latency += *d,
                    Fault::SlowBody { chunk_delay } => chosen.slow_body = Some(*chunk_delay),
                    other => {
                        if chosen.blocking.is_none() {
                            chosen.blocking = Some(other.clone());
                        }
                    }
                }
            }
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_hits_multiples_only() {
        let mut table = FaultTable::default();
        table.inject("sendMessage", Fault::RetryAfter(1), Schedule::EveryNth(3));
        let hits: Vec<bool> = (0..7)
            .map(|_| table.choose("SENDMESSAGE").blocking.is_some())
            .collect();
        assert_eq!(hits, [false, false, true, false, false, true, false]);
    }

    #[test]
    fn times_hits_the_next_n_calls() {
        let mut table = FaultTable::default();
        table.inject("getMe", Fault::ServerError(502), Schedule::Times(2));
        let hits: Vec<bool> = (0..4)
            .map(|_| table.choose("getMe").blocking.is_some())
            .collect();
        assert_eq!(hits, [true, true, false, false]);
        assert!(table.choose("sendMessage").blocking.is_none());
    }

    #[test]
    fn latency_and_blocking_faults_combine() {
        let mut table = FaultTable::default();
        table.inject(
            "*",
            Fault::Latency(Duration::from_millis(5)),
            Schedule::Always,
        );
        table.inject("getMe", Fault::DropConnection, Schedule::Always);
        let chosen = table.choose("getMe");
        assert_eq!(chosen.latency, Duration::from_millis(5));
        assert_eq!(chosen.recorded(), Some(Fault::DropConnection));
    }
}
