//! Bot API types.
