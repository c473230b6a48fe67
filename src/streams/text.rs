//! Text streams (waiting for the core's UTF-8 decoder).
