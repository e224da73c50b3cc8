//! Compile-fail tests: the messages a user sees for the mistakes the types rule out, pinned in
//! `tests/ui/*.stderr` (regenerate with `TRYBUILD=overwrite` after a deliberate change, and
//! read the diff).

#[test]
fn mistakes_are_explained_by_the_compiler() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
