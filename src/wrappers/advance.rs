//! [`Advancing`]: a stream over a wrapper's file that moves the wrapper's position.
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;

use crate::error::Result;
use crate::streams::{LineReader, Reader, TextLineReader, TextReader};

/// A stream started at a wrapper's position that moves the position past each item as
/// it is yielded; it borrows the wrapper mutably while it lives. Made by the wrappers'
/// `lines`, `lines_with` and `iter_chunked`, and named by the aliases [`Lines`],
/// [`Chunks`], [`TextLines`](crate::TextLines) and [`TextChunks`](crate::TextChunks).
///
/// Items are taken with [`next`](Advancing::next) or through [`futures_core::Stream`].
/// The stream reads ahead of what it has yielded: those bytes are not counted, so when
/// the stream is dropped the wrapper's position is right after the last item yielded. An
/// error does not move the position, and ends the stream.
///
/// ```
/// # aiofile::doc_block_on(async {
/// # let path = std::env::temp_dir().join(format!("aiofile-doc-adv-{}", std::process::id()));
/// # std::fs::write(&path, b"l1\nl2\nl3\n")?;
/// let mut f = aiofile::async_open_binary(&path, "rb").await?;
/// let mut lines: aiofile::Lines<'_> = f.lines()?;
/// lines.next().await.transpose()?;
/// lines.next().await.transpose()?;
/// drop(lines);
/// assert_eq!(f.readline().await?, b"l3\n");
/// # f.close().await?; std::fs::remove_file(&path)?;
/// # Ok::<(), aiofile::Error>(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct Advancing<'a, S> {
    pos: &'a mut u64,
    inner: S,
}

/// The lines of a [`BinaryFileWrapper`](crate::BinaryFileWrapper) (`Vec<u8>` items).
pub type Lines<'a> = Advancing<'a, LineReader>;

/// The chunks of a [`BinaryFileWrapper`](crate::BinaryFileWrapper) (`Vec<u8>` items).
pub type Chunks<'a> = Advancing<'a, Reader>;

/// The lines of a [`TextFileWrapper`](crate::TextFileWrapper) (`String` items).
pub type TextLines<'a> = Advancing<'a, TextLineReader>;

/// The chunks of a [`TextFileWrapper`](crate::TextFileWrapper) (`String` items).
pub type TextChunks<'a> = Advancing<'a, TextReader>;

impl<'a, S> Advancing<'a, S> {
    pub(crate) fn new(pos: &'a mut u64, inner: S) -> Self {
        Self { pos, inner }
    }
}

/// Implements the stream for one inner stream type and how it tells its position.
macro_rules! advancing {
    ($inner:ty, $item:ty, $position:ident) => {
        impl Advancing<'_, $inner> {
            /// The next item (the error once, then the end), moving the wrapper's position
            /// past it. The same as `StreamExt::next`, without the import.
            pub async fn next(&mut self) -> Option<Result<$item>> {
                poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
            }
        }

        impl Stream for Advancing<'_, $inner> {
            type Item = Result<$item>;

            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                let this = self.get_mut();
                let item = ready!(Pin::new(&mut this.inner).poll_next(cx));
                if let Some(Ok(_)) = &item {
                    *this.pos = this.inner.$position();
                }
                Poll::Ready(item)
            }
        }
    };
}

advancing!(LineReader, Vec<u8>, position);
advancing!(Reader, Vec<u8>, offset);
advancing!(TextLineReader, String, position);
advancing!(TextReader, String, position);
