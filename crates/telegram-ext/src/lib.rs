//! `Application`, handlers, filters and the concurrency controls.
//!
//! Skeleton: the ext issue fills this crate.
