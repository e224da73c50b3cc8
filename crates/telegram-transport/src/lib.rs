//! The `Transport` trait, the hyper + rustls default, and `Bot`, the typed client.
//!
//! Skeleton: the transport issue fills this crate.
