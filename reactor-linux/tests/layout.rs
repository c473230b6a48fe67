//! The kernel AIO ABI as defined by this crate (`aiofile_reactor_linux::abi`) matches
//! `include/uapi/linux/aio_abi.h` on this target.
use std::mem::{offset_of, size_of};

use aiofile_reactor_linux::abi::{self, AioRingHeader, IoEvent, Iocb};

#[test]
fn iocb_is_64_bytes_with_kernel_offsets() {
    assert_eq!(size_of::<Iocb>(), 64);
    let offsets = [
        offset_of!(Iocb, aio_data),
        offset_of!(Iocb, aio_lio_opcode),
        offset_of!(Iocb, aio_reqprio),
        offset_of!(Iocb, aio_fildes),
        offset_of!(Iocb, aio_buf),
        offset_of!(Iocb, aio_nbytes),
        offset_of!(Iocb, aio_offset),
        offset_of!(Iocb, aio_reserved2),
        offset_of!(Iocb, aio_flags),
        offset_of!(Iocb, aio_resfd),
    ];
    assert_eq!(offsets, [0, 16, 18, 20, 24, 32, 40, 48, 56, 60]);
    #[cfg(target_endian = "little")]
    assert_eq!(
        (offset_of!(Iocb, aio_key), offset_of!(Iocb, aio_rw_flags)),
        (8, 12)
    );
    #[cfg(target_endian = "big")]
    assert_eq!(
        (offset_of!(Iocb, aio_rw_flags), offset_of!(Iocb, aio_key)),
        (8, 12)
    );
}

#[test]
fn io_event_is_32_bytes_with_signed_res() {
    assert_eq!(size_of::<IoEvent>(), 32);
    assert_eq!(
        [
            offset_of!(IoEvent, data),
            offset_of!(IoEvent, obj),
            offset_of!(IoEvent, res),
            offset_of!(IoEvent, res2)
        ],
        [0, 8, 16, 24]
    );
    let ev = IoEvent {
        res: -11,
        ..IoEvent::default()
    };
    assert_eq!(
        ev.res,
        -(libc::EAGAIN as i64),
        "res is read as a signed -errno"
    );
}

#[test]
fn ring_header_and_opcodes() {
    assert_eq!(size_of::<AioRingHeader>(), 32);
    assert_eq!(
        (
            offset_of!(AioRingHeader, magic),
            offset_of!(AioRingHeader, header_length)
        ),
        (16, 28)
    );
    assert_eq!(abi::AIO_RING_MAGIC, 0xa10a10a1);
    assert_eq!(
        [
            abi::IOCB_CMD_PREAD,
            abi::IOCB_CMD_PWRITE,
            abi::IOCB_CMD_FSYNC,
            abi::IOCB_CMD_FDSYNC,
            abi::IOCB_CMD_PREADV,
            abi::IOCB_CMD_PWRITEV
        ],
        [0, 1, 2, 3, 7, 8]
    );
    assert_eq!((abi::IOCB_FLAG_RESFD, abi::IOCB_FLAG_IOPRIO), (1, 2));
}
