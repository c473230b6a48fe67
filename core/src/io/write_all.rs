//! Positional "write everything", driven by a [`WriteCursor`].
use crate::buf::{IoBuf, Op};
use crate::cursor::{WriteCursor, WriteEvent};
use crate::error::Error;
use crate::io::File;
use crate::reactor::Reactor;

/// Writes `buf[skip..bytes_init]` at `offset` through `file`.
pub(crate) async fn write_all<R: Reactor>(
    file: &File<R>,
    mut buf: R::Buf,
    offset: u64,
    skip: usize,
) -> (Result<usize, Error>, R::Buf) {
    let Some(len) = buf.bytes_init().checked_sub(skip) else {
        let capacity = buf.bytes_init();
        return (
            Err(Error::BufferTooSmall {
                needed: skip,
                capacity,
            }),
            buf,
        );
    };
    let mut cursor = WriteCursor::new(offset);
    if let Err(e) = cursor.begin(len) {
        return (Err(e.into()), buf);
    }
    while let Some(req) = cursor.poll_request() {
        let op = match Op::write(buf, req.offset, skip + req.start) {
            Ok(op) => op,
            Err((e, b)) => return (Err(e), b),
        };
        let done = file.submit(op).await;
        buf = done.buf.expect("write completions carry their buffer");
        match cursor.handle_completion(done.result) {
            Ok(WriteEvent::Done { written }) => return (Ok(written), buf),
            Ok(WriteEvent::Progress { .. }) => {}
            Err(e) => return (Err(e.into()), buf),
        }
    }
    (Ok(0), buf)
}
