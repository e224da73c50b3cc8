//! The conformance suite: TO BE WRITTEN (helper store)
