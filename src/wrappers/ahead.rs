//! [`ReadAhead`]: the bytes a wrapper has read past its position and not handed out yet.

/// Bytes at `[pos, pos + len)` of the file, where `pos` is the wrapper's position.
///
/// The live bytes are `buf[start..]`: handing bytes out moves `start` instead of
/// shifting the rest; [`vec_for_append`](ReadAhead::vec_for_append) compacts before a
/// read appends more. `generation` is the shared write counter seen when the bytes were
/// read, so a write through any clone of the wrapper makes them stale.
#[derive(Default)]
pub(crate) struct ReadAhead {
    buf: Vec<u8>,
    start: usize,
    generation: u64,
}

impl std::fmt::Debug for ReadAhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadAhead")
            .field("len", &self.len())
            .field("generation", &self.generation)
            .finish()
    }
}

impl ReadAhead {
    /// The bytes read ahead.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The write generation the bytes were read at.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Forgets every byte.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
    }

    /// Drops the first `n` bytes (the position moved past them).
    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.len());
        self.start += n;
        if self.start == self.buf.len() {
            self.clear();
        }
    }

    /// Hands out the first `n` bytes (without copying when they are all of them).
    pub(crate) fn take(&mut self, n: usize) -> Vec<u8> {
        if n == self.len() && self.start == 0 {
            let mut out = std::mem::take(&mut self.buf);
            if out.capacity() > 2 * out.len() + 4096 {
                out.shrink_to_fit(); // don't hand out a large read's spare room
            }
            return out;
        }
        let out = self.data()[..n].to_vec();
        self.consume(n);
        out
    }

    /// The buffer, compacted (live bytes first), for a read to append to; give it back
    /// with [`restore`](ReadAhead::restore). If that never happens (the read's future was
    /// dropped), the read-ahead is simply empty.
    pub(crate) fn vec_for_append(&mut self) -> Vec<u8> {
        self.buf.drain(..self.start);
        self.start = 0;
        std::mem::take(&mut self.buf)
    }

    /// Puts back the buffer of [`vec_for_append`](ReadAhead::vec_for_append), holding
    /// bytes read at `generation`.
    pub(crate) fn restore(&mut self, buf: Vec<u8>, generation: u64) {
        self.buf = buf;
        self.start = 0;
        self.generation = generation;
    }
}

#[cfg(test)]
mod tests {
    use super::ReadAhead;

    #[test]
    fn take_consume_and_compact() {
        let mut a = ReadAhead::default();
        a.restore(b"abcdef".to_vec(), 7);
        assert_eq!(a.take(2), b"ab");
        assert_eq!((a.data(), a.generation()), (&b"cdef"[..], 7));
        let mut v = a.vec_for_append();
        assert_eq!(v, b"cdef");
        v.extend_from_slice(b"gh");
        a.restore(v, 8);
        assert_eq!(a.take(6), b"cdefgh");
        assert_eq!(a.len(), 0);
        a.restore(b"xyz".to_vec(), 8);
        a.consume(3);
        assert!(a.data().is_empty());
    }
}
