//! `SqliteStore`: TO BE WRITTEN (helper store)
