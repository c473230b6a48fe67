//! STUB (being replaced): incremental UTF-8.
/// Stub.
pub struct Utf8Decoder;
