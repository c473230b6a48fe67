//! File-like wrappers with a position: [`async_open`] and friends.
mod advance;
mod ahead;
mod base;
mod binary;

pub use advance::{Advancing, Chunks, Lines};
pub use binary::BinaryFileWrapper;
