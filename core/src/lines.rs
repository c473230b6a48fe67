//! STUB (being replaced): line splitting.
/// Longest separator accepted, in bytes.
pub const MAX_SEPARATOR: usize = 16;
/// Stub.
pub struct LineSplitter;
