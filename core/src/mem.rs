//! STUB (being written): in-memory reactor.
