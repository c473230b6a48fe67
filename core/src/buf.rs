//! Owned I/O buffers whose memory does not move while an operation is in flight.
//!
//! This is the one module of the core that may contain `unsafe`: the traits below are
//! `unsafe` to implement because reactors hand the pointers they return to the kernel
//! or to a worker thread, which keep using them after the value that owns them has
//! been moved (into a reactor slot, back into a future, ...).
//!
//! Two implementations ship with the core: [`StaticBuf`] (a `&'static mut [u8]` with an
//! initialised length, for heap-less targets and caller-placed pools) and, with the
//! `alloc` feature, `Vec<u8>`.
#![allow(unsafe_code)]

/// A buffer the reactor may read from while it owns it.
///
/// # Safety
///
/// Implementors guarantee that:
/// - [`stable_ptr`](IoBuf::stable_ptr) points to at least [`bytes_total`](IoBuf::bytes_total)
///   bytes that stay valid, and at the same address, for as long as the value is alive,
///   *even when the value itself is moved*;
/// - the first [`bytes_init`](IoBuf::bytes_init) bytes are initialised, and
///   `bytes_init() <= bytes_total()`;
/// - nothing but this value gives access to that memory while it is alive.
pub unsafe trait IoBuf: 'static {
    /// Address of the first byte. Stable across moves of `self`.
    fn stable_ptr(&self) -> *const u8;
    /// Number of initialised bytes (the data a write sends).
    fn bytes_init(&self) -> usize;
    /// Capacity in bytes (how much a read may fill).
    fn bytes_total(&self) -> usize;

    /// The initialised bytes.
    fn as_slice(&self) -> &[u8] {
        // SAFETY: the trait contract says the first `bytes_init()` bytes at `stable_ptr()`
        // are initialised and only reachable through `self`, which we borrow shared.
        unsafe { core::slice::from_raw_parts(self.stable_ptr(), self.bytes_init()) }
    }
}

/// A buffer the reactor may also write into.
///
/// # Safety
///
/// As for [`IoBuf`]; in addition [`stable_mut_ptr`](IoBufMut::stable_mut_ptr) returns the
/// same address as `stable_ptr`, writable for `bytes_total()` bytes.
pub unsafe trait IoBufMut: IoBuf {
    /// Writable address of the first byte. Stable across moves of `self`.
    fn stable_mut_ptr(&mut self) -> *mut u8;

    /// Sets the number of initialised bytes.
    ///
    /// # Safety
    ///
    /// `len <= bytes_total()` and the first `len` bytes have been written.
    unsafe fn set_init(&mut self, len: usize);

    /// Forgets the contents: `bytes_init()` becomes 0. Capacity is kept.
    fn clear(&mut self) {
        // SAFETY: zero bytes are always initialised and 0 <= bytes_total().
        unsafe { self.set_init(0) }
    }

    /// Shortens the initialised part to `len` bytes (no effect if already shorter).
    fn truncate(&mut self, len: usize) {
        if len < self.bytes_init() {
            // SAFETY: a prefix of initialised bytes is initialised.
            unsafe { self.set_init(len) }
        }
    }

    /// Appends as much of `src` as fits; returns how many bytes were copied.
    ///
    /// ```
    /// use aiofile_core::buf::{IoBuf, IoBufMut, StaticBuf};
    /// let mut b = StaticBuf::new(Box::leak(Box::new([0u8; 4])));
    /// assert_eq!(b.extend_from_slice(b"abcdef"), 4);
    /// assert_eq!(b.as_slice(), b"abcd");
    /// ```
    fn extend_from_slice(&mut self, src: &[u8]) -> usize {
        let at = self.bytes_init();
        let n = src.len().min(self.bytes_total() - at);
        // SAFETY: `at + n <= bytes_total()`, the destination belongs to `self` (borrowed
        // mutably) so it cannot overlap `src`, and after the copy `at + n` bytes are
        // initialised.
        unsafe {
            core::ptr::copy_nonoverlapping(src.as_ptr(), self.stable_mut_ptr().add(at), n);
            self.set_init(at + n);
        }
        n
    }
}

/// A `&'static mut [u8]` with an initialised length: the buffer type for targets
/// without a heap (take the slice from a `static`, a `StaticCell` or a pool).
///
/// ```
/// use aiofile_core::buf::{IoBuf, StaticBuf};
/// static mut STORAGE: [u8; 64] = [0; 64];
/// # #[allow(static_mut_refs)]
/// let buf = StaticBuf::new(unsafe { &mut STORAGE });
/// assert_eq!(buf.bytes_total(), 64);
/// assert_eq!(buf.bytes_init(), 0);
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StaticBuf {
    mem: &'static mut [u8],
    len: usize,
}

impl StaticBuf {
    /// Wraps `mem`; the initialised length starts at 0 (the old contents are ignored).
    pub fn new(mem: &'static mut [u8]) -> Self {
        Self { mem, len: 0 }
    }

    /// Gives the slice back.
    pub fn into_inner(self) -> &'static mut [u8] {
        self.mem
    }
}

// SAFETY: the slice is `'static` and uniquely borrowed by `self`; its address does not
// change when `StaticBuf` moves; `len <= mem.len()` is kept by `set_init`'s contract.
unsafe impl IoBuf for StaticBuf {
    fn stable_ptr(&self) -> *const u8 {
        self.mem.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len
    }
    fn bytes_total(&self) -> usize {
        self.mem.len()
    }
}

// SAFETY: as above; the slice is writable and `set_init` only records a length the
// caller promises is initialised (every byte of a `&mut [u8]` is initialised anyway).
unsafe impl IoBufMut for StaticBuf {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.mem.as_mut_ptr()
    }
    unsafe fn set_init(&mut self, len: usize) {
        debug_assert!(len <= self.mem.len());
        self.len = len;
    }
}

#[cfg(feature = "alloc")]
// SAFETY: a Vec's heap allocation does not move when the Vec moves; only
// reallocation moves it, and that needs `&mut Vec`, which the reactor owns while the
// operation is in flight. `len <= capacity` always holds for a Vec.
unsafe impl IoBuf for alloc::vec::Vec<u8> {
    fn stable_ptr(&self) -> *const u8 {
        self.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len()
    }
    fn bytes_total(&self) -> usize {
        self.capacity()
    }
}

#[cfg(feature = "alloc")]
// SAFETY: as above; `set_len` is exactly `Vec::set_len`, whose contract the caller keeps.
unsafe impl IoBufMut for alloc::vec::Vec<u8> {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.as_mut_ptr()
    }
    unsafe fn set_init(&mut self, len: usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe { self.set_len(len) }
    }
}

use crate::error::{Errno, Error};

/// What an [`Op`] asks the reactor to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OpKind {
    /// Positional read (`pread`).
    Read,
    /// Positional write (`pwrite`).
    Write,
    /// Flush data and metadata (`fsync`).
    Fsync,
    /// Flush data (`fdatasync`).
    Fdatasync,
    /// Start writing a range's dirty pages to the device and return without waiting for
    /// them (`sync_file_range(SYNC_FILE_RANGE_WRITE)`): a hint that shortens a later
    /// sync. It makes nothing durable; only [`Fsync`](OpKind::Fsync) and
    /// [`Fdatasync`](OpKind::Fdatasync) do.
    Writeback,
}

/// One positional operation, owning its buffer for its whole life.
///
/// An `Op` can only be built through the checked constructors below, so a reactor may
/// rely on its range being inside the buffer: a read fills
/// `buf[bytes_init .. bytes_init + len]`, a write sends `buf[start .. bytes_init]`.
/// The reactor turns it into a [`Completion`] (which hands the buffer back) with one of
/// the `complete_*` methods, exactly once, after the kernel or worker is done with it.
///
/// ```
/// use aiofile_core::{Op, OpKind, Errno};
/// let op = Op::read(Vec::with_capacity(8), 100, 8).unwrap();
/// assert_eq!((op.kind(), op.offset(), op.len()), (OpKind::Read, 100, 8));
/// let done = op.complete_read_from(b"hello");
/// assert_eq!(done.result, Ok(5));
/// assert_eq!(done.buf.unwrap(), b"hello");
/// ```
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Op<B> {
    kind: OpKind,
    offset: u64,
    buf: Option<B>,
    start: usize,
    len: usize,
}

/// A finished operation: its result and the buffer it owned.
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Completion<B> {
    /// What was done.
    pub kind: OpKind,
    /// Bytes transferred (0 for syncs), or the OS error.
    pub result: Result<usize, Errno>,
    /// The buffer, handed back (`None` for syncs). For a read its initialised length
    /// grew by the bytes read.
    pub buf: Option<B>,
}

impl<B: IoBufMut> Op<B> {
    /// A read of up to `len` bytes at file `offset`, appended after the buffer's
    /// initialised bytes.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] (with the buffer back) when it cannot hold `len` more bytes.
    pub fn read(buf: B, offset: u64, len: usize) -> Result<Self, (Error, B)> {
        let start = buf.bytes_init();
        match start.checked_add(len) {
            Some(end) if end <= buf.bytes_total() => {
                Ok(Self::new(OpKind::Read, offset, Some(buf), start, len))
            }
            _ => {
                let capacity = buf.bytes_total();
                Err((
                    Error::BufferTooSmall {
                        needed: start.saturating_add(len),
                        capacity,
                    },
                    buf,
                ))
            }
        }
    }

    /// A write of `buf[start..bytes_init]` at file `offset`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] (with the buffer back) when `start > bytes_init`.
    pub fn write(buf: B, offset: u64, start: usize) -> Result<Self, (Error, B)> {
        let init = buf.bytes_init();
        if start > init {
            return Err((
                Error::BufferTooSmall {
                    needed: start,
                    capacity: init,
                },
                buf,
            ));
        }
        Ok(Self::new(
            OpKind::Write,
            offset,
            Some(buf),
            start,
            init - start,
        ))
    }

    /// A full sync (`fsync`).
    pub fn fsync() -> Self {
        Self::new(OpKind::Fsync, 0, None, 0, 0)
    }

    /// A data sync (`fdatasync`).
    pub fn fdatasync() -> Self {
        Self::new(OpKind::Fdatasync, 0, None, 0, 0)
    }

    /// A writeback hint for `len` bytes from `offset` (`len` 0: through the end of the
    /// file, as `sync_file_range` reads it). See [`OpKind::Writeback`]. A reactor that has
    /// no such call (or nothing to write back, like a RAM file) completes it at once
    /// with `Ok(0)`.
    ///
    /// ```
    /// use aiofile_core::{Op, OpKind};
    /// let op = Op::<Vec<u8>>::writeback(1 << 20, 8 << 20);
    /// assert_eq!((op.kind(), op.offset(), op.len()), (OpKind::Writeback, 1 << 20, 8 << 20));
    /// assert!(op.write_data().is_empty()); // no buffer: nothing is transferred
    /// assert_eq!(op.complete_write(0).result, Ok(0));
    /// ```
    pub fn writeback(offset: u64, len: usize) -> Self {
        Self::new(OpKind::Writeback, offset, None, 0, len)
    }

    fn new(kind: OpKind, offset: u64, buf: Option<B>, start: usize, len: usize) -> Self {
        Self {
            kind,
            offset,
            buf,
            start,
            len,
        }
    }

    /// What this operation does.
    pub fn kind(&self) -> OpKind {
        self.kind
    }

    /// File offset of the transfer (0 for syncs; the range's start for a writeback).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes to transfer (0 for syncs; the range's length for a writeback, which
    /// transfers nothing: its [`io_ptr`](Op::io_ptr) is null).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is nothing to transfer (syncs, empty reads or writes).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// For a write, the bytes to send; empty otherwise.
    pub fn write_data(&self) -> &[u8] {
        match (&self.buf, self.kind) {
            (Some(b), OpKind::Write) => &b.as_slice()[self.start..self.start + self.len],
            _ => &[],
        }
    }

    /// Address of the first byte of the transfer range, for handing to the kernel or a
    /// worker (null for syncs and writebacks). Valid for [`len`](Op::len) bytes while this `Op` (or the
    /// buffer inside it) is alive; writable for reads.
    pub fn io_ptr(&mut self) -> *mut u8 {
        match &mut self.buf {
            // `wrapping_add` keeps this safe; `start <= bytes_total` by construction.
            Some(b) => b.stable_mut_ptr().wrapping_add(self.start),
            None => core::ptr::null_mut(),
        }
    }

    /// Finishes with an OS error; the buffer comes back unchanged.
    pub fn complete_err(self, errno: Errno) -> Completion<B> {
        self.finish(Err(errno))
    }

    /// Finishes a write that sent `n` bytes (clamped to [`len`](Op::len)), or a sync.
    pub fn complete_write(self, n: usize) -> Completion<B> {
        debug_assert!(self.kind != OpKind::Read, "complete_write on a read");
        let n = n.min(self.len);
        self.finish(Ok(n))
    }

    /// Finishes a read by copying (at most `len` bytes of) `src` into the range: the
    /// safe way for reactors that do not hand the buffer to the kernel.
    pub fn complete_read_from(mut self, src: &[u8]) -> Completion<B> {
        debug_assert_eq!(self.kind, OpKind::Read);
        let n = src.len().min(self.len);
        if let Some(b) = &mut self.buf {
            b.truncate(self.start);
            b.extend_from_slice(&src[..n]);
        }
        self.finish(Ok(n))
    }

    /// Finishes a read whose bytes the kernel or a worker wrote through
    /// [`io_ptr`](Op::io_ptr).
    ///
    /// # Safety
    /// `n <= self.len()` and the first `n` bytes at `io_ptr()` have been written.
    pub unsafe fn complete_read(mut self, n: usize) -> Completion<B> {
        debug_assert!(n <= self.len);
        if let Some(b) = &mut self.buf {
            // SAFETY: the caller wrote `n` bytes after the `start` initialised ones, and
            // `start + n <= start + len <= bytes_total` by construction.
            unsafe { b.set_init(self.start + n) };
        }
        self.finish(Ok(n))
    }

    /// Gives the buffer back without performing anything (the op was never submitted).
    pub fn into_buf(self) -> Option<B> {
        self.buf
    }

    fn finish(self, result: Result<usize, Errno>) -> Completion<B> {
        Completion {
            kind: self.kind,
            result,
            buf: self.buf,
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::boxed::Box;

    fn leak(n: usize) -> &'static mut [u8] {
        Box::leak(std::vec![0xAAu8; n].into_boxed_slice())
    }

    #[test]
    fn static_buf_tracks_init_and_copies() {
        let mut b = StaticBuf::new(leak(8));
        assert_eq!(b.extend_from_slice(b"hello"), 5);
        assert_eq!(b.extend_from_slice(b"world"), 3);
        assert_eq!(b.as_slice(), b"hellowor");
        b.truncate(2);
        assert_eq!(b.as_slice(), b"he");
        b.clear();
        assert_eq!(b.as_slice(), b"");
    }

    #[test]
    fn pointer_is_stable_across_moves() {
        let b = StaticBuf::new(leak(8));
        let p = b.stable_ptr();
        let moved = [b];
        assert_eq!(moved[0].stable_ptr(), p);
    }
}
