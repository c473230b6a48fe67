//! STUB (being replaced): mode parsing.
/// Stub.
pub struct FileMode;
/// Stub.
pub struct ModeError;
/// Stub.
pub struct OpenFlags;
/// Stub.
pub fn parse_mode(_s: &str) -> Result<FileMode, ModeError> {
    Err(ModeError)
}
