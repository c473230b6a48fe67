//! O_DIRECT on both backends: aligned I/O with `AlignedBuf`, and misaligned buffer,
//! offset and length refused before submission with typed errors.
mod common;

use aiofile_core::{Errno, IoBuf, Op, Reactor, Submit};
use aiofile_reactor_linux::{
    check_op, dio_alignment, AioReactor, AlignedBuf, Alignment, Drive, FileRef, MisalignedPart,
    UringReactor,
};
use common::{op, open_direct_rw, pattern, run, tmp_path, TmpFile};

trait Backend: Reactor<Buf = AlignedBuf, File = FileRef> + Drive {
    fn misaligned(&self) -> u64;
    fn submitted(&self) -> u64;
    /// Operations handed to a fallback.
    fn punts(&self) -> u64;
}

impl Backend for UringReactor<AlignedBuf> {
    fn misaligned(&self) -> u64 {
        self.stats().misaligned
    }
    fn punts(&self) -> u64 {
        self.stats().write_punts
    }
    fn submitted(&self) -> u64 {
        self.stats().submitted
    }
}

impl Backend for AioReactor<AlignedBuf> {
    fn misaligned(&self) -> u64 {
        self.stats().misaligned
    }
    fn punts(&self) -> u64 {
        self.stats().nowait_punts + self.stats().write_punts
    }
    fn submitted(&self) -> u64 {
        self.stats().submitted
    }
}

macro_rules! for_both {
    ($($name:ident),* $(,)?) => {
        mod uring {
            $( #[test] fn $name() { if let Some(r) = crate::common::uring::<aiofile_reactor_linux::AlignedBuf>() { crate::$name(&r) } } )*
        }
        mod aio {
            $( #[test] fn $name() { if let Some((r, _fb)) = crate::common::aio::<aiofile_reactor_linux::AlignedBuf>() { crate::$name(&r) } } )*
        }
        /// io_uring with a fallback: O_DIRECT writes must stay on the ring.
        mod uring_punting {
            $( #[test] fn $name() { if let Some((r, _pool)) = crate::common::uring_punting::<aiofile_reactor_linux::AlignedBuf>() { crate::$name(&r) } } )*
        }
    };
}

for_both!(
    aligned_write_and_read_back,
    misaligned_requests_fail_before_submission
);

/// Opens a fresh O_DIRECT file and returns it with its alignment and a block size that
/// satisfies it.
fn direct_file(tag: &str) -> Option<(TmpFile, FileRef, Alignment, usize)> {
    let path = tmp_path(tag);
    let f = open_direct_rw(&path)?;
    let (align, source) = dio_alignment(&*f);
    println!(
        "O_DIRECT alignment in {}: {align:?} from {source:?}",
        path.display()
    );
    Some((path, f, align, align.offset.max(align.mem).max(4096)))
}

fn aligned_write_and_read_back<R: Backend>(r: &R) {
    let Some((_path, f, align, block)) = direct_file("dio") else {
        return;
    };
    let data = pattern(2 * block, 7);
    let mut buf = AlignedBuf::new(2 * block, align.mem);
    buf.set_len(2 * block);
    buf.as_mut_slice().copy_from_slice(&data);
    let w = run(r, op(r, &f, Op::write(buf, block as u64, 0).unwrap()));
    assert_eq!(w.result, Ok(2 * block));
    assert_eq!(run(r, op(r, &f, Op::fsync())).result, Ok(0));
    let rd = run(
        r,
        op(
            r,
            &f,
            Op::read(
                AlignedBuf::new(4 * block, align.mem),
                block as u64,
                4 * block,
            )
            .unwrap(),
        ),
    );
    assert_eq!(rd.result, Ok(2 * block), "short read at EOF");
    assert_eq!(rd.buf.unwrap().as_slice(), &data[..]);
    let hole = run(
        r,
        op(
            r,
            &f,
            Op::read(AlignedBuf::new(block, align.mem), 0, block).unwrap(),
        ),
    );
    assert_eq!(hole.buf.unwrap().as_slice(), &vec![0; block][..]);
    assert_eq!(r.misaligned(), 0);
    assert_eq!(
        r.punts(),
        0,
        "O_DIRECT is served by the kernel queue itself"
    );
    assert_eq!(r.submitted(), 4);
}

/// Submits `op`: it must finish inside `try_submit` with `EINVAL`, and `check_op`
/// must name `what`.
fn refused<R: Backend>(
    r: &R,
    f: &FileRef,
    mut o: Op<AlignedBuf>,
    align: Alignment,
    what: MisalignedPart,
) {
    let e = check_op(&mut o, align).unwrap_err();
    let required = if what == MisalignedPart::Buffer {
        align.mem
    } else {
        align.offset
    };
    assert_eq!((e.what, e.required), (what, required), "{e}");
    match r.try_submit(f, o) {
        Submit::Done(c) => {
            assert_eq!(c.result, Err(Errno::EINVAL));
            assert!(c.buf.is_some(), "the buffer comes back");
        }
        other => panic!("misaligned {what:?} was not refused at once: {other:?}"),
    }
}

fn misaligned_requests_fail_before_submission<R: Backend>(r: &R) {
    let Some((path, f, align, block)) = direct_file("misaligned") else {
        return;
    };
    let before = r.submitted();
    let mut expected = 0;
    if align.mem > 1 {
        let mut shifted = AlignedBuf::new(2 * block, align.mem);
        shifted.set_len(1); // the read lands at byte 1: misaligned address
        refused(
            r,
            &f,
            Op::read(shifted, 0, block).unwrap(),
            align,
            MisalignedPart::Buffer,
        );
        expected += 1;
    }
    refused(
        r,
        &f,
        Op::read(AlignedBuf::new(block, align.mem), 100, block).unwrap(),
        align,
        MisalignedPart::Offset,
    );
    refused(
        r,
        &f,
        Op::read(AlignedBuf::new(block, align.mem), 0, 100).unwrap(),
        align,
        MisalignedPart::Length,
    );
    let mut short = AlignedBuf::new(block, align.mem);
    short.set_len(100);
    refused(
        r,
        &f,
        Op::write(short, 0, 0).unwrap(),
        align,
        MisalignedPart::Length,
    );
    expected += 3;
    assert_eq!(r.misaligned(), expected);
    assert_eq!(r.submitted(), before, "nothing reached the kernel");
    let len = std::fs::metadata(&path).unwrap().len();
    assert_eq!(len, 0, "nothing was written");
}

#[test]
fn open_direct_refusal_is_named() {
    let e = aiofile_reactor_linux::OpenDirectError::from(std::io::Error::from_raw_os_error(
        libc::EINVAL,
    ));
    assert!(matches!(e, aiofile_reactor_linux::OpenDirectError::Refused));
    assert!(e.to_string().contains("refused O_DIRECT"), "{e}");
    let other = aiofile_reactor_linux::OpenDirectError::from(std::io::Error::from_raw_os_error(
        libc::ENOENT,
    ));
    assert!(matches!(
        other,
        aiofile_reactor_linux::OpenDirectError::Io(_)
    ));
}

#[test]
fn aligned_buf_honours_its_alignment() {
    for align in [512, 4096, 65536] {
        let b = AlignedBuf::new(3 * align, align);
        assert_eq!(b.stable_ptr() as usize % align, 0);
        assert_eq!(b.bytes_total(), 3 * align);
    }
}

/// io_uring: an O_DIRECT request is entered by the submitting thread itself (the kernel
/// only queues its bio), so it needs no driver wake-up to start: the SQE is in the
/// kernel when `try_submit` returns, before any `turn`.
#[test]
fn uring_direct_requests_are_entered_at_submission() {
    let Some(r) = common::uring::<AlignedBuf>() else {
        return;
    };
    let Some((_path, f, align, block)) = direct_file("dio-enter") else {
        return;
    };
    let mut buf = AlignedBuf::new(block, align.mem);
    buf.set_len(block);
    let ticket = match r.try_submit(&f, Op::write(buf, 0, 0).unwrap()) {
        Submit::Queued(t) => t,
        _ => panic!("expected Queued"),
    };
    let s = r.stats();
    assert_eq!((s.enter_calls, s.submitted), (1, 1), "{s:?}");
    let c = run(&r, std::future::poll_fn(|cx| r.poll_complete(&ticket, cx)));
    assert_eq!(c.result, Ok(block));
}
