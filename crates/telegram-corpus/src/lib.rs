//! Seeded, deterministic generator of realistic `getUpdates` responses.
