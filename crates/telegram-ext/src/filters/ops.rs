//! The combinators behind `&`, `|`, `^` and `!`, and [`BoxedFilter`].

use std::fmt;

use telegram_types::Update;

use super::{filter_ops, Filter, FilterResult};

/// Both filters pass; the right one is not checked when the left one fails. Matches of both
/// sides are kept, left first.
#[derive(Debug, Clone, Copy)]
pub struct And<A, B>(A, B);

/// Either filter passes; the right one is not checked when the left one passes.
#[derive(Debug, Clone, Copy)]
pub struct Or<A, B>(A, B);

/// Exactly one of the filters passes (both are always checked).
#[derive(Debug, Clone, Copy)]
pub struct Xor<A, B>(A, B);

/// The filter does not pass.
#[derive(Debug, Clone, Copy)]
pub struct Not<A>(A);

impl<A, B> And<A, B> {
    /// `a & b`.
    pub fn new(a: A, b: B) -> Self {
        And(a, b)
    }
}

impl<A, B> Or<A, B> {
    /// `a | b`.
    pub fn new(a: A, b: B) -> Self {
        Or(a, b)
    }
}

impl<A, B> Xor<A, B> {
    /// `a ^ b`.
    pub fn new(a: A, b: B) -> Self {
        Xor(a, b)
    }
}

impl<A> Not<A> {
    /// `!a`.
    pub fn new(a: A) -> Self {
        Not(a)
    }
}

impl<A: Filter, B: Filter> Filter for And<A, B> {
    fn check(&self, update: &Update) -> FilterResult {
        match self.0.check(update) {
            FilterResult::No => FilterResult::No,
            FilterResult::Yes => self.1.check(update),
            FilterResult::Data(mut left) => match self.1.check(update) {
                FilterResult::No => FilterResult::No,
                FilterResult::Yes => FilterResult::Data(left),
                FilterResult::Data(right) => {
                    left.extend(right);
                    FilterResult::Data(left)
                }
            },
        }
    }
}

impl<A: Filter, B: Filter> Filter for Or<A, B> {
    fn check(&self, update: &Update) -> FilterResult {
        match self.0.check(update) {
            FilterResult::No => self.1.check(update),
            passed => passed,
        }
    }
}

impl<A: Filter, B: Filter> Filter for Xor<A, B> {
    fn check(&self, update: &Update) -> FilterResult {
        match (self.0.check(update), self.1.check(update)) {
            (FilterResult::No, FilterResult::No) => FilterResult::No,
            (FilterResult::No, passed) | (passed, FilterResult::No) => passed,
            _ => FilterResult::No,
        }
    }
}

impl<A: Filter> Filter for Not<A> {
    fn check(&self, update: &Update) -> FilterResult {
        FilterResult::from_bool(!self.0.check(update).is_match())
    }
}

/// A filter of any type, boxed; for storing filters of different types together.
pub struct BoxedFilter(Box<dyn Filter>);

impl BoxedFilter {
    /// Boxes `filter`.
    pub fn new(filter: impl Filter) -> Self {
        BoxedFilter(Box::new(filter))
    }
}

impl fmt::Debug for BoxedFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BoxedFilter(..)")
    }
}

impl Filter for BoxedFilter {
    fn check(&self, update: &Update) -> FilterResult {
        self.0.check(update)
    }

    fn boxed(self) -> BoxedFilter {
        self
    }
}

filter_ops!(
    [A: Filter, B: Filter,] And<A, B>,
    [A: Filter, B: Filter,] Or<A, B>,
    [A: Filter, B: Filter,] Xor<A, B>,
    [A: Filter,] Not<A>,
    [] BoxedFilter,
);

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::super::test_support::text;
    use super::super::{custom, RegexMatch};
    use super::*;

    /// A filter that always says the same thing.
    #[derive(Debug, Clone)]
    struct Fixed(FilterResult);

    impl Filter for Fixed {
        fn check(&self, _update: &Update) -> FilterResult {
            self.0.clone()
        }
    }

    filter_ops!([] Fixed);

    /// A filter that says `pass` and counts how often it was asked.
    fn counting(pass: bool) -> (impl Filter + Clone, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let filter = custom(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            pass
        });
        (filter, calls)
    }

    fn bool_filter(pass: bool) -> Fixed {
        Fixed(FilterResult::from_bool(pass))
    }

    /// A match of `pattern` in `haystack`.
    fn found(pattern: &str, haystack: &str) -> RegexMatch {
        let regex = ::regex::Regex::new(pattern).expect("test pattern compiles");
        let captures = regex.captures(haystack).expect("test pattern matches");
        RegexMatch::from_captures(&regex, &captures)
    }

    const BOTH: [(bool, bool); 4] = [(false, false), (false, true), (true, false), (true, true)];

    #[test]
    fn and_or_xor_not_follow_their_truth_tables() {
        let update = text("x");
        for (a, b) in BOTH {
            let and = bool_filter(a) & bool_filter(b);
            let or = bool_filter(a) | bool_filter(b);
            let xor = bool_filter(a) ^ bool_filter(b);
            assert_eq!(and.matches(&update), a && b, "{a} & {b}");
            assert_eq!(or.matches(&update), a || b, "{a} | {b}");
            assert_eq!(xor.matches(&update), a ^ b, "{a} ^ {b}");
            assert_eq!((!bool_filter(a)).matches(&update), !a, "!{a}");
        }
    }

    #[test]
    fn and_skips_the_right_side_when_the_left_fails() {
        let update = text("x");
        let (right, calls) = counting(true);
        assert!(!(bool_filter(false) & right.clone()).matches(&update));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert!((bool_filter(true) & right).matches(&update));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn or_skips_the_right_side_when_the_left_passes() {
        let update = text("x");
        let (right, calls) = counting(false);
        assert!((bool_filter(true) | right.clone()).matches(&update));
        let data = Fixed(FilterResult::Data(vec![found("x", "x")]));
        assert!((data | right.clone()).matches(&update));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert!(!(bool_filter(false) | right).matches(&update));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn xor_always_checks_both_sides() {
        let update = text("x");
        let (left, left_calls) = counting(true);
        let (right, right_calls) = counting(true);
        assert!(!Xor::new(left, right).matches(&update));
        assert_eq!(left_calls.load(Ordering::SeqCst), 1);
        assert_eq!(right_calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn and_merges_matches_left_first() {
        let update = text("x");
        let first = found("(a)", "a");
        let second = found("(b)", "b");
        let both = Fixed(FilterResult::Data(vec![first.clone()]))
            & bool_filter(true)
            & Fixed(FilterResult::Data(vec![second.clone()]));
        assert_eq!(
            both.check(&update),
            FilterResult::Data(vec![first.clone(), second])
        );

        let yes_then_data = bool_filter(true) & Fixed(FilterResult::Data(vec![first.clone()]));
        assert_eq!(
            yes_then_data.check(&update),
            FilterResult::Data(vec![first.clone()])
        );

        let data_then_no = Fixed(FilterResult::Data(vec![first])) & bool_filter(false);
        assert_eq!(data_then_no.check(&update), FilterResult::No);
    }

    #[test]
    fn or_and_xor_pass_on_the_matches_of_the_side_that_passed() {
        let update = text("x");
        let left = found("l", "l");
        let right = found("r", "r");
        let data = |m: &RegexMatch| Fixed(FilterResult::Data(vec![m.clone()]));

        let or = bool_filter(false) | data(&right);
        assert_eq!(or.check(&update), FilterResult::Data(vec![right.clone()]));
        let or = data(&left) | data(&right);
        assert_eq!(or.check(&update), FilterResult::Data(vec![left.clone()]));

        let xor = data(&left) ^ bool_filter(false);
        assert_eq!(xor.check(&update), FilterResult::Data(vec![left.clone()]));
        let xor = bool_filter(false) ^ data(&right);
        assert_eq!(xor.check(&update), FilterResult::Data(vec![right.clone()]));
        let xor = data(&left) ^ data(&right);
        assert_eq!(xor.check(&update), FilterResult::No);
    }

    #[test]
    fn not_drops_matches() {
        let update = text("x");
        let negated = !Fixed(FilterResult::Data(vec![found("x", "x")]));
        assert_eq!(negated.check(&update), FilterResult::No);
        assert_eq!((!negated).check(&update), FilterResult::Yes);
    }

    #[test]
    fn boxed_filters_keep_results_and_operators() {
        let update = text("hello");
        let filters: Vec<BoxedFilter> = vec![
            crate::filters::TEXT.boxed(),
            (crate::filters::TEXT & !crate::filters::COMMAND).boxed(),
            bool_filter(false).boxed(),
        ];
        let results: Vec<bool> = filters.iter().map(|f| f.matches(&update)).collect();
        assert_eq!(results, [true, true, false]);
        let combined = bool_filter(true).boxed() & bool_filter(false).boxed();
        assert!(!combined.matches(&update));
        assert!((!combined).boxed().boxed().matches(&update));
    }
}
