//! The stand-in for a load balancer in front of several bot replicas: which of the webhook
//! targets a delivery goes to. The sender (`webhook/mod.rs`) asks for one target per attempt.

/// How deliveries are spread over the targets given to
/// [`FakeBotApi::balance_webhook`](crate::FakeBotApi::balance_webhook).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Balance {
    /// Each attempt goes to the next target in turn (a redelivery too, so a dead target's
    /// updates reach a live one at the next attempt).
    RoundRobin,
    /// Each attempt goes to a target picked at random from a generator seeded with `seed`
    /// (the same seed and the same order of attempts give the same picks).
    Random {
        /// The generator's seed.
        seed: u64,
    },
}

/// The targets and the picking state.
#[derive(Debug, Clone)]
pub(crate) struct Balancer {
    targets: Vec<String>,
    balance: Balance,
    /// The next target for round robin; the generator's state for random picks.
    state: u64,
}

impl Balancer {
    /// `None` when `targets` is empty (deliveries go to the `setWebhook` URL).
    pub(crate) fn new(targets: Vec<String>, balance: Balance) -> Option<Self> {
        if targets.is_empty() {
            return None;
        }
        let state = match balance {
            Balance::RoundRobin => 0,
            Balance::Random { seed } => seed,
        };
        Some(Balancer {
            targets,
            balance,
            state,
        })
    }

    /// The target of the next attempt.
    pub(crate) fn pick(&mut self) -> String {
        let index = match self.balance {
            Balance::RoundRobin => {
                let index = self.state;
                self.state = self.state.wrapping_add(1);
                index
            }
            Balance::Random { .. } => splitmix64(&mut self.state),
        };
        let len = self.targets.len() as u64;
        self.targets[usize::try_from(index % len).unwrap_or(0)].clone()
    }
}

/// SplitMix64: a tiny, well-mixed generator; plenty for spreading requests, and seeded so a
/// test run can be repeated.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<String> {
        vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]
    }

    #[test]
    fn round_robin_takes_turns() {
        let mut balancer = Balancer::new(targets(), Balance::RoundRobin).expect("targets");
        let picks: Vec<String> = (0..5).map(|_| balancer.pick()).collect();
        assert_eq!(picks, ["a", "b", "c", "a", "b"]);
    }

    #[test]
    fn random_picks_repeat_with_the_seed_and_reach_every_target() {
        let run = |seed| {
            let mut balancer = Balancer::new(targets(), Balance::Random { seed }).expect("targets");
            (0..60).map(|_| balancer.pick()).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        for target in targets() {
            assert!(run(7).contains(&target));
        }
    }

    #[test]
    fn no_targets_no_balancer() {
        assert!(Balancer::new(Vec::new(), Balance::RoundRobin).is_none());
    }
}
