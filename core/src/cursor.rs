//! STUB (being replaced): chunk/offset cursors.
/// Stub.
pub struct ReadCursor;
/// Stub.
pub struct WriteCursor;
