//! A fake Bot API server with simulated users, for testing bots offline.
//!
//! Skeleton: the transport issue fills this crate.
