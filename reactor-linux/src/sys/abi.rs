//! The kernel AIO ABI (`include/uapi/linux/aio_abi.h`), defined here rather than taken
//! from a C library so the layout is visible and tested.
//!
//! ```
//! use aiofile_reactor_linux::abi::{Iocb, IoEvent, AioRingHeader};
//! assert_eq!(core::mem::size_of::<Iocb>(), 64);
//! assert_eq!(core::mem::size_of::<IoEvent>(), 32);
//! assert_eq!(core::mem::size_of::<AioRingHeader>(), 32);
//! ```

/// `IOCB_CMD_PREAD`: positional read into `aio_buf`.
pub const IOCB_CMD_PREAD: u16 = 0;
/// `IOCB_CMD_PWRITE`: positional write from `aio_buf`.
pub const IOCB_CMD_PWRITE: u16 = 1;
/// `IOCB_CMD_FSYNC`: `fsync` in a kernel workqueue (works since Linux 4.18).
pub const IOCB_CMD_FSYNC: u16 = 2;
/// `IOCB_CMD_FDSYNC`: `fdatasync` in a kernel workqueue (works since Linux 4.18).
pub const IOCB_CMD_FDSYNC: u16 = 3;
/// `IOCB_CMD_PREADV`: `aio_buf` is an `iovec` array, `aio_nbytes` its length.
pub const IOCB_CMD_PREADV: u16 = 7;
/// `IOCB_CMD_PWRITEV`: as `PREADV`, for writes.
pub const IOCB_CMD_PWRITEV: u16 = 8;

/// `aio_flags` bit: signal `aio_resfd` (an eventfd) on completion.
pub const IOCB_FLAG_RESFD: u32 = 1 << 0;
/// `aio_flags` bit: `aio_reqprio` holds an I/O priority.
pub const IOCB_FLAG_IOPRIO: u32 = 1 << 1;

/// `aio_ring.magic` of a ring laid out as [`AioRingHeader`] describes.
pub const AIO_RING_MAGIC: u32 = 0xa10a_10a1;

/// `struct iocb`: one request (64 bytes).
///
/// The pair `aio_key`/`aio_rw_flags` is declared with `PADDED()` in the kernel header,
/// so it is swapped on big-endian targets; this definition follows.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Iocb {
    /// Returned unchanged in [`IoEvent::data`].
    pub aio_data: u64,
    /// Written by the kernel at submit time (`KIOCB_KEY`, 0).
    #[cfg(target_endian = "little")]
    pub aio_key: u32,
    /// `RWF_*` flags for this request (e.g. `RWF_NOWAIT`).
    #[cfg(target_endian = "little")]
    pub aio_rw_flags: i32,
    /// `RWF_*` flags for this request (e.g. `RWF_NOWAIT`).
    #[cfg(target_endian = "big")]
    pub aio_rw_flags: i32,
    /// Written by the kernel at submit time (`KIOCB_KEY`, 0).
    #[cfg(target_endian = "big")]
    pub aio_key: u32,
    /// One of the `IOCB_CMD_*` opcodes.
    pub aio_lio_opcode: u16,
    /// I/O priority, used with [`IOCB_FLAG_IOPRIO`].
    pub aio_reqprio: i16,
    /// The file descriptor.
    pub aio_fildes: u32,
    /// Buffer address (or `iovec` array for the vectored opcodes; 0 for syncs).
    pub aio_buf: u64,
    /// Bytes to transfer (or `iovec` count; 0 for syncs).
    pub aio_nbytes: u64,
    /// File offset (0 for syncs).
    pub aio_offset: i64,
    /// Must be 0.
    pub aio_reserved2: u64,
    /// `IOCB_FLAG_*` bits.
    pub aio_flags: u32,
    /// The eventfd to signal when [`IOCB_FLAG_RESFD`] is set.
    pub aio_resfd: u32,
}

/// `struct io_event`: one completion (32 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoEvent {
    /// The request's [`Iocb::aio_data`].
    pub data: u64,
    /// The user address of the request's `iocb`.
    pub obj: u64,
    /// Bytes transferred, or `-errno` (read as signed: libaio's `unsigned long` hides errors).
    pub res: i64,
    /// Secondary result, 0 for reads and writes on current kernels.
    pub res2: i64,
}

/// `struct aio_ring`: the header of the completion ring `io_setup` maps into the
/// process (the context id *is* its address); `nr` [`IoEvent`]s follow at
/// `header_length` bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AioRingHeader {
    /// Kernel-internal context id.
    pub id: u32,
    /// Number of event slots in the ring.
    pub nr: u32,
    /// Next event to consume (written by user space when it reaps the ring itself).
    pub head: u32,
    /// Next event the kernel will write.
    pub tail: u32,
    /// [`AIO_RING_MAGIC`] when the layout is the one described here.
    pub magic: u32,
    /// 1 on current kernels.
    pub compat_features: u32,
    /// 0 when user-space reaping is allowed.
    pub incompat_features: u32,
    /// Size of this header (32): where the events start.
    pub header_length: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn iocb_layout_matches_the_kernel() {
        assert_eq!(size_of::<Iocb>(), 64);
        assert_eq!(align_of::<Iocb>(), 8);
        assert_eq!(offset_of!(Iocb, aio_data), 0);
        assert_eq!(offset_of!(Iocb, aio_lio_opcode), 16);
        assert_eq!(offset_of!(Iocb, aio_reqprio), 18);
        assert_eq!(offset_of!(Iocb, aio_fildes), 20);
        assert_eq!(offset_of!(Iocb, aio_buf), 24);
        assert_eq!(offset_of!(Iocb, aio_nbytes), 32);
        assert_eq!(offset_of!(Iocb, aio_offset), 40);
        assert_eq!(offset_of!(Iocb, aio_reserved2), 48);
        assert_eq!(offset_of!(Iocb, aio_flags), 56);
        assert_eq!(offset_of!(Iocb, aio_resfd), 60);
    }

    #[test]
    #[cfg(target_endian = "little")]
    fn iocb_key_and_flags_follow_padded_order() {
        assert_eq!(offset_of!(Iocb, aio_key), 8);
        assert_eq!(offset_of!(Iocb, aio_rw_flags), 12);
    }

    #[test]
    fn io_event_and_ring_header_layout() {
        assert_eq!(size_of::<IoEvent>(), 32);
        assert_eq!(offset_of!(IoEvent, data), 0);
        assert_eq!(offset_of!(IoEvent, obj), 8);
        assert_eq!(offset_of!(IoEvent, res), 16);
        assert_eq!(offset_of!(IoEvent, res2), 24);
        assert_eq!(size_of::<AioRingHeader>(), 32);
        assert_eq!(offset_of!(AioRingHeader, head), 8);
        assert_eq!(offset_of!(AioRingHeader, tail), 12);
        assert_eq!(offset_of!(AioRingHeader, magic), 16);
        assert_eq!(offset_of!(AioRingHeader, incompat_features), 24);
        assert_eq!(offset_of!(AioRingHeader, header_length), 28);
    }
}
