//! Everything in the bench that needs `unsafe`: the counting allocator, page-cache
//! control (`posix_fadvise`, `mincore`) and page-aligned buffers for `O_DIRECT`.
#![allow(unsafe_code)]

pub mod aligned;
pub mod alloc;
pub mod cache;
