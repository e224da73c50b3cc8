//! `SqliteStore`: TO BE WRITTEN (helper store)

/// Placeholder.
#[derive(Debug)]
pub struct SqliteStore;
