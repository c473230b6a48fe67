//! Everything in the bench that needs `unsafe`: the counting allocator, page-cache
//! control (`geteuid` for the global drop; the per-file `posix_fadvise` and `mincore`
//! are `aiofile-pagecache`'s) and page-aligned buffers for `O_DIRECT`.
#![allow(unsafe_code)]

pub mod aligned;
pub mod alloc;
pub mod cache;
