//! Differential fuzzing of `LineSplitter` and `ChunkSplitter`: an arbitrary separator,
//! capacity, chunking and input (optionally folded into a 4-letter alphabet so separators
//! match often) must give, once `Partial` pieces are joined, exactly the lines of a
//! one-shot split, from both splitters.
#![no_main]

use aiofile_core::lines::{
    ChunkSplitter, Line, LineEnd, LineSplitter, SeparatorError, Span, MAX_SEPARATOR,
};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Capacity {
    C1,
    C2,
    C3,
    C5,
    C8,
    C17,
    C32,
    C64,
    C4096,
}

#[derive(Debug, Arbitrary)]
struct Case {
    capacity: Capacity,
    /// Map every byte of `sep` and `input` into `b"ab\r\n"`.
    small_alphabet: bool,
    /// Drain after every `handle_input`, not only when the buffer refuses bytes.
    eager: bool,
    sep: Vec<u8>,
    /// Chunk sizes, cycled; 0 also tries an empty `handle_input`.
    chunks: Vec<u8>,
    /// Fed before a `reset`, so it must leave no trace.
    garbage: Vec<u8>,
    input: Vec<u8>,
}

/// `split_inclusive` semantics on bytes; the last line without separator when non-empty.
fn model_split(input: &[u8], sep: &[u8]) -> Vec<Vec<u8>> {
    let (mut lines, mut start, mut i) = (Vec::new(), 0, 0);
    while i + sep.len() <= input.len() {
        if &input[i..i + sep.len()] == sep {
            i += sep.len();
            lines.push(input[start..i].to_vec());
            start = i;
        } else {
            i += 1;
        }
    }
    if start < input.len() {
        lines.push(input[start..].to_vec());
    }
    lines
}

/// Collects pieces, checking each and joining `Partial` ones into whole lines.
struct Joiner<'s, const N: usize> {
    sep: &'s [u8],
    acc: Vec<u8>,
    lines: Vec<Vec<u8>>,
}

impl<const N: usize> Joiner<'_, N> {
    fn push(&mut self, line: Line<'_>) {
        let bytes = line.bytes();
        assert!(!bytes.is_empty() && bytes.len() <= N);
        match line.end() {
            LineEnd::Separator => {
                assert!(bytes.ends_with(self.sep));
                assert_eq!(line.content(), &bytes[..bytes.len() - self.sep.len()]);
            }
            LineEnd::Eof => assert_eq!(line.content(), bytes),
            LineEnd::Partial => {
                assert_eq!(line.content(), bytes);
                assert_eq!(bytes.len(), N - (self.sep.len() - 1).max(1));
            }
        }
        self.acc.extend_from_slice(bytes);
        if line.end().is_complete() {
            self.lines.push(std::mem::take(&mut self.acc));
        }
    }

    fn drain(&mut self, s: &mut LineSplitter<N>) {
        while let Some(line) = s.poll_line() {
            self.push(line);
        }
    }
}

fn feed<const N: usize>(
    s: &mut LineSplitter<N>,
    j: &mut Joiner<'_, N>,
    mut chunk: &[u8],
    eager: bool,
) {
    loop {
        let n = s.handle_input(chunk);
        assert!(n <= chunk.len());
        chunk = &chunk[n..];
        if eager || !chunk.is_empty() {
            j.drain(s);
        }
        if chunk.is_empty() {
            return;
        }
        assert!(s.spare_capacity() > 0, "stalled");
    }
}

fn run<const N: usize>(case: &Case, sep: &[u8], input: &[u8]) {
    let mut s = match LineSplitter::<N>::new(sep) {
        Ok(s) => s,
        Err(e) => {
            let expected = if sep.is_empty() {
                SeparatorError::Empty
            } else if sep.len() > MAX_SEPARATOR {
                SeparatorError::TooLong { len: sep.len() }
            } else {
                assert!(N < 2 * sep.len());
                SeparatorError::BufferTooSmall {
                    needed: 2 * sep.len(),
                    capacity: N,
                }
            };
            assert_eq!(e, expected);
            return;
        }
    };
    let _ = s.handle_input(&case.garbage);
    s.reset();
    let mut j = Joiner::<N> {
        sep,
        acc: Vec::new(),
        lines: Vec::new(),
    };
    let mut rest = input;
    for &size in case.chunks.iter().chain(&[64]).cycle() {
        if rest.is_empty() {
            break;
        }
        if size == 0 {
            assert_eq!(s.handle_input(&[]), 0);
        }
        let (chunk, tail) = rest.split_at(usize::from(size).clamp(1, rest.len()));
        rest = tail;
        feed(&mut s, &mut j, chunk, case.eager);
    }
    s.handle_eof();
    j.drain(&mut s);
    assert!(s.is_finished() && s.poll_line().is_none());
    assert_eq!(s.handle_input(b"x"), 0);
    assert!(j.acc.is_empty(), "the last piece was Partial");
    assert_eq!(j.lines, model_split(input, sep));
}

/// `ChunkSplitter` over the same chunking (a 0 chunk size becomes an empty chunk).
fn run_chunked(case: &Case, sep: &[u8], input: &[u8]) {
    let mut s = match ChunkSplitter::new(sep) {
        Ok(s) => s,
        Err(e) => {
            let expected = match sep.len() {
                0 => SeparatorError::Empty,
                len => SeparatorError::TooLong { len },
            };
            assert!(sep.is_empty() || sep.len() > MAX_SEPARATOR);
            assert_eq!(e, expected);
            return;
        }
    };
    let (mut lines, mut rest) = (Vec::new(), input);
    let mut chunk: &[u8] = &[];
    for &size in case.chunks.iter().chain(&[64]).cycle() {
        while let Some(span) = s.poll_line(chunk) {
            lines.push(match span {
                Span::Chunk(r) => chunk[r].to_vec(),
                Span::Carry => s.carry().to_vec(),
            });
        }
        if rest.is_empty() {
            break;
        }
        (chunk, rest) = rest.split_at(usize::from(size).min(rest.len()));
        s.handle_chunk();
    }
    if let Some(Span::Carry) = s.handle_eof() {
        lines.push(s.carry().to_vec());
    }
    assert_eq!(s.handle_eof(), None);
    assert_eq!(lines, model_split(input, sep));
}

fn fold(bytes: &[u8], small_alphabet: bool) -> Vec<u8> {
    match small_alphabet {
        true => bytes
            .iter()
            .map(|b| b"ab\r\n"[usize::from(b % 4)])
            .collect(),
        false => bytes.to_vec(),
    }
}

fuzz_target!(|case: Case| {
    let sep = fold(&case.sep, case.small_alphabet);
    let input = fold(&case.input, case.small_alphabet);
    match case.capacity {
        Capacity::C1 => run::<1>(&case, &sep, &input),
        Capacity::C2 => run::<2>(&case, &sep, &input),
        Capacity::C3 => run::<3>(&case, &sep, &input),
        Capacity::C5 => run::<5>(&case, &sep, &input),
        Capacity::C8 => run::<8>(&case, &sep, &input),
        Capacity::C17 => run::<17>(&case, &sep, &input),
        Capacity::C32 => run::<32>(&case, &sep, &input),
        Capacity::C64 => run::<64>(&case, &sep, &input),
        Capacity::C4096 => run::<4096>(&case, &sep, &input),
    }
    run_chunked(&case, &sep, &input);
});
