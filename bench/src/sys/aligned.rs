//! A fixed-size, page-aligned byte buffer for `O_DIRECT` reads by the non-aiofile
//! systems (aiofile's own buffers are `Vec<u8>`; see `systems::aiofile`).
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::ptr::NonNull;

/// Alignment used for every `O_DIRECT` buffer (covers 512-byte and 4 KiB devices).
pub const ALIGN: usize = 4096;

/// `len` bytes aligned to [`ALIGN`], zeroed at creation.
pub struct AlignedBuf {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: the buffer owns its allocation exclusively (like a `Box<[u8]>`).
unsafe impl Send for AlignedBuf {}

impl AlignedBuf {
    /// A zeroed buffer of `len` (> 0) bytes.
    ///
    /// # Panics
    /// If `len` is 0 or too large for a layout, or the allocation fails.
    pub fn new(len: usize) -> Self {
        assert!(len > 0, "empty aligned buffer");
        let layout = Layout::from_size_align(len, ALIGN).expect("aligned buffer layout");
        // SAFETY: the layout has a non-zero size (checked above).
        let raw = unsafe { alloc_zeroed(layout) };
        let ptr = NonNull::new(raw).expect("aligned buffer allocation failed");
        Self { ptr, layout }
    }

    /// The bytes, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` points to `layout.size()` initialised (zeroed) bytes we own.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.layout.size()) }
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this exact layout and not freed before.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_and_writable() {
        let mut b = AlignedBuf::new(8192);
        let s = b.as_mut_slice();
        assert_eq!(s.as_ptr() as usize % ALIGN, 0);
        assert_eq!(s.len(), 8192);
        s[8191] = 7;
        assert_eq!(b.as_mut_slice()[8191], 7);
    }
}
