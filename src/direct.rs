//! O_DIRECT transfers for the facade's `Vec<u8>` buffers.
//!
//! The kernel needs the buffer address, the file offset and the length aligned. Offsets
//! and lengths are the caller's (checked here, before any I/O, into
//! [`Error::Misaligned`]); the address is ours: each transfer uses a `Vec` with
//! `align` spare bytes whose first `pad` bytes are filler, so that the transfer range
//! `buf[pad..]` starts on an aligned address (the core's ops transfer at
//! `buf[bytes_init..]`). Reads then drop the filler with one `memmove`.
use aiofile_reactor_linux::Alignment;

use crate::error::{Error, Result};
use crate::file::CoreFile;

/// Typed check of an offset and a length against `align`.
pub(crate) fn check(align: Alignment, offset: u64, len: usize) -> Result<()> {
    let required = align.offset.max(1);
    if offset % required as u64 != 0 {
        return Err(Error::Misaligned {
            what: "offset",
            required,
        });
    }
    if len % required != 0 {
        return Err(Error::Misaligned {
            what: "length",
            required,
        });
    }
    Ok(())
}

/// A buffer with room for `len` bytes after a filler that aligns them.
fn staging(align: Alignment, len: usize) -> Vec<u8> {
    let mem = align.mem.max(1);
    let mut buf: Vec<u8> = Vec::with_capacity(len + mem);
    let pad = buf.as_ptr().align_offset(mem);
    buf.resize(pad, 0);
    buf
}

/// One aligned read of `size` bytes at `offset` (short only at end of file).
pub(crate) async fn read(
    file: &CoreFile,
    align: Alignment,
    size: usize,
    offset: u64,
) -> Result<Vec<u8>> {
    check(align, offset, size)?;
    let buf = staging(align, size);
    let pad = buf.len();
    let (res, mut buf) = file.read(buf, offset, size).await;
    res?;
    buf.drain(..pad);
    Ok(buf)
}

/// Aligned chunks from `offset` until a short read (end of file).
pub(crate) async fn read_to_end(file: &CoreFile, align: Alignment, offset: u64) -> Result<Vec<u8>> {
    check(align, offset, 0)?;
    let chunk = (1 << 20) / align.offset.max(1) * align.offset.max(1);
    let mut out = Vec::new();
    loop {
        let part = read(file, align, chunk, offset + out.len() as u64).await?;
        out.extend_from_slice(&part);
        if part.len() < chunk {
            return Ok(out);
        }
    }
}

/// One aligned write of all of `data` at `offset`.
pub(crate) async fn write(
    file: &CoreFile,
    align: Alignment,
    data: &[u8],
    offset: u64,
) -> Result<usize> {
    check(align, offset, data.len())?;
    let mut buf = staging(align, data.len());
    let pad = buf.len();
    buf.extend_from_slice(data);
    let (res, _) = file.write_from(buf, offset, pad).await;
    Ok(res?)
}
