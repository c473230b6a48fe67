//! `aiofile-nostd-check`: a `#![no_std]` static library that uses `aiofile-core` with its
//! default features off, built by `ci/ci.sh nostd`.
//!
//! Why this proves the core needs no std:
//! - this crate is `#![no_std]` and defines its own `#[panic_handler]`; if any crate in the
//!   graph (the core or one of its dependencies) links `std`, std's `panic_impl` lang item
//!   collides with ours and rustc stops with E0152 "found duplicate lang item";
//! - the feature `std-canary` links std on purpose; `ci/ci.sh nostd` builds it and requires
//!   that failure, so the check is shown to be able to fail;
//! - without the core's `alloc` feature, any use of `alloc` stops the build too ("no global
//!   memory allocator found"): there is no `#[global_allocator]` here;
//! - the staticlib bundles every object it needs, so `ci/ci.sh nostd` also scans its symbol
//!   tables (readelf) for `std::` and `alloc::`, then links it into a C program
//!   (`link_test.c`, libc only) and runs the probe;
//! - the probe function below is `#[no_mangle] extern "C"`, so the core code it calls is
//!   really compiled and kept in the archive, not only type-checked.
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(feature = "std-canary")]
extern crate std;

use core::fmt::{self, Write as _};
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use aiofile_core::buf::{IoBuf, IoBufMut, StaticBuf};
use aiofile_core::{Errno, Op, OpKind};

/// Size of the probe's static buffer.
const STORAGE_LEN: usize = 64;

/// Memory lent to [`StaticBuf`] for one probe call at a time.
static mut STORAGE: [u8; STORAGE_LEN] = [0; STORAGE_LEN];
/// Set while a probe call holds `STORAGE`.
static STORAGE_TAKEN: AtomicBool = AtomicBool::new(false);

/// Exercises the core without std: reads `len` bytes at `src` through a read [`Op`] on a
/// [`StaticBuf`], writes them back through a write `Op`, formats an [`Errno`].
///
/// Returns the number of bytes that went through the read and the write (at most 64),
/// `-EBADF` when `src` is null, `-EAGAIN` when another call holds the buffer, `-EIO` when
/// the bytes did not survive the round trip, `-EINVAL` when formatting failed.
///
/// # Safety
///
/// `src` is null or points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn aiofile_nostd_probe(src: *const u8, len: usize, offset: u64) -> i64 {
    if src.is_null() {
        return errno_code(Errno::EBADF);
    }
    // SAFETY: the caller promises `len` readable bytes at a non-null `src`.
    let data = unsafe { core::slice::from_raw_parts(src, len) };
    let Some(mem) = take_storage() else {
        return errno_code(Errno::EAGAIN);
    };
    let (result, buf) = round_trip(StaticBuf::new(mem), data, offset);
    // The `&'static mut` handed back is dropped in this statement, before the flag frees
    // `STORAGE` again.
    let _: &mut [u8] = buf.into_inner();
    STORAGE_TAKEN.store(false, Ordering::Release);
    result
}

/// Read `data` into `buf`, then write it back out; returns the count or `-errno`.
fn round_trip(buf: StaticBuf, data: &[u8], offset: u64) -> (i64, StaticBuf) {
    let want = data.len().min(buf.bytes_total());
    let op = match Op::read(buf, offset, want) {
        Ok(op) => op,
        Err((_, buf)) => return (errno_code(Errno::EINVAL), buf),
    };
    let done = op.complete_read_from(data);
    let mut buf = done.buf.expect("a read hands its buffer back");
    let n = match done.result {
        Ok(n) => n,
        Err(e) => return (errno_code(e), buf),
    };
    let write = match Op::write(buf, offset, 0) {
        Ok(op) => op,
        Err((_, back)) => return (errno_code(Errno::EINVAL), back),
    };
    let same = write.kind() == OpKind::Write && write.write_data() == &data[..n];
    let done = write.complete_write(n);
    buf = done.buf.expect("a write hands its buffer back");
    let code = match (same, done.result) {
        (false, _) => errno_code(Errno::EIO),
        (true, Ok(sent)) if formats(Errno::ENOSPC) => sent as i64,
        (true, Ok(_)) => errno_code(Errno::EINVAL),
        (true, Err(e)) => errno_code(e),
    };
    buf.clear();
    (code, buf)
}

// ---------------------------------------------------------------------------------------
// The rest of the core, linked for real: mode parsing, then the whole async stack
// (Writer, Reader, LineReader over the in-memory reactor, driven by
// `embassy_futures::block_on`), then the UTF-8 decoder and the cursors.

/// Memory for the stream probe's three buffers.
static mut STREAM_STORAGE: [[u8; 16]; 3] = [[0; 16]; 3];
/// Set while a stream probe call holds `STREAM_STORAGE`.
static STREAM_TAKEN: AtomicBool = AtomicBool::new(false);

/// Writes `len` bytes at `src` into a RAM file through the core's `Writer`, reads them
/// back with `Reader` (checking every byte) and splits them into lines on `;` with
/// `LineReader`; validates them as UTF-8 with `Utf8Decoder` and checks `parse_mode`.
///
/// Returns the number of lines, `-EBADF` for a null `src`, `-EAGAIN` when another call
/// holds the buffers, `-EIO` when a byte did not survive, `-EINVAL` for invalid UTF-8 or
/// when the mode check failed, `-ENOSPC` when `len` exceeds the 256-byte RAM file.
///
/// # Safety
///
/// `src` is null or points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn aiofile_nostd_streams(src: *const u8, len: usize) -> i64 {
    if src.is_null() {
        return errno_code(Errno::EBADF);
    }
    // SAFETY: the caller promises `len` readable bytes at a non-null `src`.
    let data = unsafe { core::slice::from_raw_parts(src, len) };
    if len > 256 {
        return errno_code(Errno::ENOSPC);
    }
    if STREAM_TAKEN.swap(true, Ordering::Acquire) {
        return errno_code(Errno::EAGAIN);
    }
    // SAFETY: `STREAM_TAKEN` was false, so no other call holds the storage; the three
    // `&'static mut` handed out below are dropped before the flag is cleared.
    let [a, b, c] = unsafe { &mut *core::ptr::addr_of_mut!(STREAM_STORAGE) };
    let code = streams(
        data,
        [StaticBuf::new(a), StaticBuf::new(b), StaticBuf::new(c)],
    );
    STREAM_TAKEN.store(false, Ordering::Release);
    code
}

fn streams(data: &[u8], [wbuf, rbuf, lbuf]: [StaticBuf; 3]) -> i64 {
    use aiofile_core::io::{File, LineReader, Reader, Writer};
    use aiofile_core::mem::MemReactor;
    use embassy_sync::blocking_mutex::raw::NoopRawMutex;

    let mode_ok = matches!(aiofile_core::parse_mode("rb+"), Ok(m) if m.readable && m.writable && m.binary)
        && aiofile_core::parse_mode("rw").is_err();
    let mut utf8 = aiofile_core::Utf8Decoder::new(0);
    let text_ok = utf8.decode(data).is_ok() && utf8.finish().is_ok();
    if !mode_ok || !text_ok {
        return errno_code(Errno::EINVAL);
    }
    let reactor: MemReactor<NoopRawMutex, StaticBuf, 256, 2> = MemReactor::new(&[]);
    embassy_futures::block_on(async {
        let mut writer = Writer::new(File::new(&reactor, ()), 0, wbuf);
        if writer.write_all(data).await.is_err() || writer.flush().await.is_err() {
            return errno_code(Errno::EIO);
        }
        let Ok(mut reader) = Reader::new(File::new(&reactor, ()), 0, 16, rbuf) else {
            return errno_code(Errno::EINVAL);
        };
        let mut at = 0;
        while let Ok(Some(chunk)) = reader.read_chunk().await {
            if data.get(at..at + chunk.len()) != Some(chunk) {
                return errno_code(Errno::EIO);
            }
            at += chunk.len();
        }
        if at != data.len() {
            return errno_code(Errno::EIO);
        }
        let Ok(mut lines) = LineReader::<_, 32>::new(File::new(&reactor, ()), 0, 16, b";", lbuf)
        else {
            return errno_code(Errno::EINVAL);
        };
        let mut n = 0;
        while let Ok(Some(_)) = lines.next_line().await {
            n += 1;
        }
        n
    })
}

// ---------------------------------------------------------------------------------------

/// `-errno`, the C convention for a failed call.
fn errno_code(e: Errno) -> i64 {
    -i64::from(e.0)
}

/// True when `e` formats as the core documents ("os error N") into a fixed buffer.
fn formats(e: Errno) -> bool {
    let mut out = FixedWriter {
        buf: [0; 32],
        len: 0,
    };
    write!(out, "{e}").is_ok() && out.as_bytes().starts_with(b"os error ")
}

/// A `fmt::Write` into a fixed array: no allocation.
struct FixedWriter {
    buf: [u8; 32],
    len: usize,
}

impl FixedWriter {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Write for FixedWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Hands out `STORAGE` to one caller at a time.
fn take_storage() -> Option<&'static mut [u8]> {
    if STORAGE_TAKEN.swap(true, Ordering::Acquire) {
        return None;
    }
    // SAFETY: `STORAGE_TAKEN` was false, so no other `&mut` to `STORAGE` is alive (the
    // previous holder dropped its slice before clearing the flag), and it stays true until
    // this one is dropped.
    Some(unsafe { &mut *core::ptr::addr_of_mut!(STORAGE) })
}

/// Panics abort (`panic = "abort"` in both profiles; there is no unwinding without std).
/// Loops forever, which is what a `no_std` target without an abort instruction does.
/// Kept with `std-canary` too: that is what makes the canary build fail.
#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// A critical-section implementation for this probe only: a no-op, as on a single-core
/// target with nothing to mask. Sound only because the probe never runs code that takes a
/// critical section from two threads at once; it exists so the archive has the
/// `_critical_section_1_0_*` symbols that embassy-sync and heapless may need at link time.
struct SingleCore;
critical_section::set_impl!(SingleCore);

// SAFETY: `acquire`/`release` are a matched no-op pair; the probe is single-threaded by
// contract (see above), so nothing else can enter the section concurrently.
unsafe impl critical_section::Impl for SingleCore {
    unsafe fn acquire() -> critical_section::RawRestoreState {}
    unsafe fn release(_restore: critical_section::RawRestoreState) {}
}
