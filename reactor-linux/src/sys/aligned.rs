//! [`AlignedBuf`]: an owned, zero-initialised, aligned allocation for O_DIRECT.
use std::alloc::{self, Layout};
use std::fmt;
use std::ptr::NonNull;

use aiofile_core::{IoBuf, IoBufMut};

/// An owned buffer whose address is a multiple of a chosen alignment, as O_DIRECT
/// wants (see [`dio_alignment`](crate::dio_alignment)).
///
/// The memory is zeroed when allocated, so every byte is always initialised: the
/// initialised length ([`IoBuf::bytes_init`]) can be set freely with
/// [`set_len`](AlignedBuf::set_len). It implements the core's [`IoBuf`]/[`IoBufMut`],
/// so it travels in an [`Op`](aiofile_core::Op) like a `Vec<u8>`.
///
/// ```
/// use aiofile_core::IoBuf;
/// use aiofile_reactor_linux::AlignedBuf;
/// let mut buf = AlignedBuf::new(8192, 4096);
/// assert_eq!(buf.stable_ptr() as usize % 4096, 0);
/// assert_eq!((buf.bytes_init(), buf.bytes_total()), (0, 8192));
/// buf.set_len(4096);
/// buf.as_mut_slice().fill(7);
/// assert_eq!(buf.as_slice()[4095], 7);
/// ```
pub struct AlignedBuf {
    ptr: NonNull<u8>,
    layout: Layout,
    capacity: usize,
    len: usize,
}

impl AlignedBuf {
    /// Allocates `capacity` zeroed bytes at a multiple of `align`; the initialised
    /// length starts at 0.
    ///
    /// # Panics
    /// When `align` is not a power of two, the size overflows, or allocation fails.
    pub fn new(capacity: usize, align: usize) -> Self {
        let layout = Layout::from_size_align(capacity.max(1), align)
            .expect("AlignedBuf: bad size or alignment");
        // SAFETY: `layout` has a non-zero size.
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            alloc::handle_alloc_error(layout)
        };
        Self {
            ptr,
            layout,
            capacity,
            len: 0,
        }
    }

    /// The alignment the buffer was allocated with.
    pub fn align(&self) -> usize {
        self.layout.align()
    }

    /// Sets the initialised length (every byte is initialised, so this is safe).
    ///
    /// # Panics
    /// When `len` exceeds the capacity.
    pub fn set_len(&mut self, len: usize) {
        assert!(
            len <= self.capacity,
            "AlignedBuf::set_len({len}) beyond capacity {}",
            self.capacity
        );
        self.len = len;
    }

    /// The initialised bytes, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` is valid for `capacity >= len` initialised (zeroed or written)
        // bytes owned by `self`, which we borrow mutably.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with exactly this layout, freed only here.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

impl fmt::Debug for AlignedBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlignedBuf")
            .field("addr", &self.ptr)
            .field("align", &self.layout.align())
            .field("len", &self.len)
            .field("capacity", &self.capacity)
            .finish()
    }
}

// SAFETY: `AlignedBuf` uniquely owns its allocation (like `Box<[u8]>`); nothing is
// shared between values, so moving it to another thread or sharing `&AlignedBuf`
// (read-only access) is sound.
unsafe impl Send for AlignedBuf {}
// SAFETY: see `Send`: `&AlignedBuf` only allows reads.
unsafe impl Sync for AlignedBuf {}

// SAFETY: the heap allocation does not move when the value moves and lives until
// `Drop`; it holds `capacity` bytes; `len <= capacity` is enforced by `set_len` and
// `set_init`'s contract, and all bytes are initialised (zeroed at allocation); only
// this value reaches the memory.
unsafe impl IoBuf for AlignedBuf {
    fn stable_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len
    }
    fn bytes_total(&self) -> usize {
        self.capacity
    }
}

// SAFETY: as above; the same address is writable for `capacity` bytes.
unsafe impl IoBufMut for AlignedBuf {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.ptr.as_ptr()
    }
    unsafe fn set_init(&mut self, len: usize) {
        debug_assert!(len <= self.capacity);
        self.len = len;
    }
}
