//! Unit tests (the reference's bugs, edge cases, `Partial` pieces) and a differential
//! property test against a one-shot model split.
extern crate std;

use std::vec::Vec;

use proptest::prelude::*;

use super::{Line, LineEnd, LineSplitter, SeparatorError, MAX_SEPARATOR};

type Piece = (Vec<u8>, LineEnd);

/// The obviously correct split: `split_inclusive` semantics on bytes, the last line
/// without separator when non-empty.
pub(super) fn model_split(input: &[u8], sep: &[u8]) -> Vec<Vec<u8>> {
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

/// Checks what must hold for every piece, and copies it out.
fn record<const N: usize>(line: Line<'_>, sep: &[u8]) -> Piece {
    let bytes = line.bytes();
    assert!(
        !bytes.is_empty() && bytes.len() <= N,
        "piece length {}",
        bytes.len()
    );
    match line.end() {
        LineEnd::Separator => {
            assert!(bytes.ends_with(sep));
            assert_eq!(line.content(), &bytes[..bytes.len() - sep.len()]);
        }
        LineEnd::Eof => assert_eq!(line.content(), bytes),
        LineEnd::Partial => {
            assert_eq!(line.content(), bytes);
            assert_eq!(bytes.len(), N - (sep.len() - 1).max(1));
        }
    }
    (bytes.to_vec(), line.end())
}

fn drain<const N: usize>(s: &mut LineSplitter<N>, sep: &[u8], out: &mut Vec<Piece>) {
    while let Some(line) = s.poll_line() {
        out.push(record::<N>(line, sep));
    }
}

/// Feeds `input` in chunks of the sizes in `chunks` (cycled), draining after every
/// `handle_input` when `eager`, otherwise only when the buffer refuses bytes.
fn split_chunked<const N: usize>(
    sep: &[u8],
    input: &[u8],
    chunks: &[usize],
    eager: bool,
) -> Vec<Piece> {
    let mut s = LineSplitter::<N>::new(sep).unwrap();
    let (mut out, mut rest) = (Vec::new(), input);
    for &size in chunks.iter().cycle() {
        let (mut chunk, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        loop {
            let n = s.handle_input(chunk);
            chunk = &chunk[n..];
            if eager || !chunk.is_empty() {
                drain(&mut s, sep, &mut out);
            }
            if chunk.is_empty() {
                break;
            }
            assert!(
                s.spare_capacity() > 0,
                "stalled with {} bytes left",
                chunk.len()
            );
        }
        if rest.is_empty() {
            break;
        }
    }
    s.handle_eof();
    drain(&mut s, sep, &mut out);
    assert!(s.is_finished() && s.poll_line().is_none());
    assert_eq!(s.handle_input(b"x"), 0);
    out
}

/// Joins `Partial` pieces to the piece that completes them.
fn join(pieces: &[Piece]) -> Vec<Vec<u8>> {
    let (mut lines, mut acc) = (Vec::new(), Vec::new());
    for (bytes, end) in pieces {
        acc.extend_from_slice(bytes);
        if end.is_complete() {
            lines.push(core::mem::take(&mut acc));
        }
    }
    assert!(acc.is_empty(), "the last piece was Partial");
    lines
}

fn lines_of(expected: &[&str]) -> Vec<Vec<u8>> {
    expected.iter().map(|l| l.as_bytes().to_vec()).collect()
}

/// Every chunk size in `1..=max_chunk`, eager and lazy draining, capacity `N`.
fn assert_split<const N: usize>(sep: &str, input: &str, expected: &[&str], max_chunk: usize) {
    let (sep, input) = (sep.as_bytes(), input.as_bytes());
    assert_eq!(
        model_split(input, sep),
        lines_of(expected),
        "model disagrees"
    );
    for size in 1..=max_chunk {
        for eager in [true, false] {
            let pieces = split_chunked::<N>(sep, input, &[size], eager);
            assert_eq!(
                join(&pieces),
                lines_of(expected),
                "chunk {size}, eager {eager}"
            );
        }
    }
}

#[test]
fn double_pipe_separator_whatever_the_chunk_size() {
    // Reference §10 item 6: only chunk 4 gave these lines.
    let expected = ["ab||", "cd||", "ef"];
    assert_split::<4>("||", "ab||cd||ef", &expected, 10);
    assert_split::<5>("||", "ab||cd||ef", &expected, 10);
    assert_split::<64>("||", "ab||cd||ef", &expected, 10);
}

#[test]
fn semicolon_separator_whatever_the_chunk_size() {
    // Reference §10 item 6: chunk 3 gave ['a;b;c;', 'd'], the default one line.
    assert_split::<2>(";", "a;b;c;d", &["a;", "b;", "c;", "d"], 8);
    assert_split::<64>(";", "a;b;c;d", &["a;", "b;", "c;", "d"], 8);
}

#[test]
fn crlf_separator_ignores_bare_lf() {
    // Reference §10 item 7: a bare "\n" merged everything after it into one line.
    let expected = ["ab\r\n", "cd\nef\r\n", "gh"];
    assert_split::<4>("\r\n", "ab\r\ncd\nef\r\ngh", &expected, 14);
    assert_split::<64>("\r\n", "ab\r\ncd\nef\r\ngh", &expected, 14);
    assert_split::<8>("\r\n", "ab\r\ncd\r\nef", &["ab\r\n", "cd\r\n", "ef"], 10);
}

#[test]
fn separators_are_validated() {
    // Reference §10 item 8: an empty separator returned chunk-sized fragments.
    assert_eq!(
        LineSplitter::<8>::new(b"").unwrap_err(),
        SeparatorError::Empty
    );
    let long = [b'-'; MAX_SEPARATOR + 1];
    let err = LineSplitter::<64>::new(&long).unwrap_err();
    assert_eq!(err, SeparatorError::TooLong { len: 17 });
    assert_eq!(crate::Error::from(err), crate::Error::BadSeparator);
    assert!(LineSplitter::<32>::new(&long[..MAX_SEPARATOR]).is_ok());
}

#[test]
fn capacity_below_twice_the_separator_is_an_error() {
    let err = LineSplitter::<5>::new(b"abc").unwrap_err();
    assert_eq!(
        err,
        SeparatorError::BufferTooSmall {
            needed: 6,
            capacity: 5
        }
    );
    assert!(LineSplitter::<6>::new(b"abc").is_ok());
    let err = LineSplitter::<1>::new(b"\n").unwrap_err();
    assert_eq!(
        err,
        SeparatorError::BufferTooSmall {
            needed: 2,
            capacity: 1
        }
    );
    assert_eq!(
        crate::Error::from(err),
        crate::Error::BufferTooSmall {
            needed: 2,
            capacity: 1
        }
    );
    assert_eq!(
        std::format!("{err}"),
        "line buffer holds 1 bytes, this separator needs at least 2"
    );
}

#[test]
fn empty_input_gives_no_line() {
    let mut s = LineSplitter::<8>::new(b"\n").unwrap();
    assert!(s.poll_line().is_none());
    assert!(!s.is_finished() && !s.is_eof());
    s.handle_eof();
    assert!(s.is_finished() && s.is_eof());
    assert!(s.poll_line().is_none());
    assert_eq!(split_chunked::<8>(b"\n", b"", &[1], true), []);
}

#[test]
fn blank_lines_and_trailing_separator() {
    assert_split::<8>("\n", "\n\na\n\n", &["\n", "\n", "a\n", "\n"], 5);
    assert_split::<8>("\n", "a\nb\n", &["a\n", "b\n"], 4);
    let mut s = LineSplitter::<8>::new(b"\n").unwrap();
    assert_eq!(s.handle_input(b"\n"), 1);
    let line = s.poll_line().unwrap();
    assert_eq!((line.bytes(), line.content()), (&b"\n"[..], &b""[..]));
}

#[test]
fn separator_split_across_inputs() {
    let pieces = split_chunked::<16>(b"||", b"ab||cd", &[3, 3], true);
    assert_eq!(join(&pieces), lines_of(&["ab||", "cd"]));
    let mut s = LineSplitter::<16>::new(b"<->").unwrap();
    for part in [&b"x<"[..], b"-"] {
        assert_eq!(s.handle_input(part), part.len());
        assert!(s.poll_line().is_none());
    }
    assert_eq!(s.handle_input(b">y"), 2);
    assert_eq!(s.poll_line().unwrap().bytes(), b"x<->");
}

#[test]
fn multibyte_utf8_separator() {
    let expected = ["x→", "yé→", "→", "z"];
    assert_split::<6>("→", "x→yé→→z", &expected, 12);
    assert_split::<64>("→", "x→yé→→z", &expected, 12);
}

#[test]
fn overlapping_matches_resolve_left_to_right() {
    assert_split::<4>("||", "a|||b", &["a||", "|b"], 6);
    assert_split::<4>("aa", "aaaaa", &["aa", "aa", "a"], 6);
    assert_split::<6>("aba", "ababab", &["aba", "bab"], 7);
}

#[test]
fn long_line_comes_in_partial_pieces() {
    let mut s = LineSplitter::<4>::new(b"\n").unwrap();
    assert_eq!(s.handle_input(b"abcdefg"), 4);
    let mut out = Vec::new();
    drain(&mut s, b"\n", &mut out);
    assert_eq!(s.handle_input(b"efg"), 3);
    drain(&mut s, b"\n", &mut out);
    s.handle_eof();
    drain(&mut s, b"\n", &mut out);
    let expected = [
        (b"abc".to_vec(), LineEnd::Partial),
        (b"def".to_vec(), LineEnd::Partial),
        (b"g".to_vec(), LineEnd::Eof),
    ];
    assert_eq!(out, expected);
}

#[test]
fn full_buffer_at_eof_is_one_eof_piece() {
    let mut s = LineSplitter::<4>::new(b"\n").unwrap();
    assert_eq!(s.handle_input(b"abcd"), 4);
    s.handle_eof();
    let line = s.poll_line().unwrap();
    assert_eq!((line.bytes(), line.end()), (&b"abcd"[..], LineEnd::Eof));
    assert!(s.is_finished());
}

#[test]
fn partial_piece_keeps_a_possible_separator_prefix() {
    let mut s = LineSplitter::<6>::new(b"abc").unwrap();
    assert_eq!(s.handle_input(b"xxxxxabc"), 6);
    let piece = s.poll_line().unwrap();
    assert_eq!(
        (piece.bytes(), piece.end()),
        (&b"xxxx"[..], LineEnd::Partial)
    );
    assert_eq!(s.handle_input(b"bc"), 2);
    let line = s.poll_line().unwrap();
    assert_eq!(
        (line.bytes(), line.end()),
        (&b"xabc"[..], LineEnd::Separator)
    );
    assert_eq!(line.content(), b"x");
}

#[test]
fn partial_pieces_concatenate_to_the_line() {
    let input = "0123456789abcdefghij||klmnopqrstuvwxyz||end";
    let expected = ["0123456789abcdefghij||", "klmnopqrstuvwxyz||", "end"];
    assert_split::<4>("||", input, &expected, 7);
    assert_split::<7>("||", input, &expected, 7);
    let pieces = split_chunked::<7>(b"||", input.as_bytes(), &[100], false);
    assert!(pieces.iter().any(|(_, end)| *end == LineEnd::Partial));
}

#[test]
fn input_after_eof_is_refused_until_reset() {
    let mut s = LineSplitter::<8>::new(b";").unwrap();
    assert_eq!(s.handle_input(b"a;b"), 3);
    s.handle_eof();
    assert_eq!((s.handle_input(b"c"), s.spare_capacity()), (0, 0));
    assert_eq!(s.poll_line().unwrap().bytes(), b"a;");
    assert_eq!(s.poll_line().unwrap().bytes(), b"b");
    assert!(s.is_finished() && s.poll_line().is_none() && s.poll_line().is_none());
    s.reset();
    assert!(!s.is_finished() && s.buffered() == 0 && s.spare_capacity() == 8);
    assert_eq!(s.handle_input(b"c;"), 2);
    assert_eq!(s.poll_line().unwrap().bytes(), b"c;");
}

#[test]
fn full_buffer_refuses_then_accepts_after_draining() {
    let mut s = LineSplitter::<4>::new(b";").unwrap();
    assert_eq!(s.handle_input(b"a;b;c;"), 4);
    assert_eq!((s.buffered(), s.spare_capacity()), (4, 0));
    assert_eq!(s.handle_input(b"c;"), 0);
    assert_eq!(s.poll_line().unwrap().bytes(), b"a;");
    assert_eq!(s.spare_capacity(), 2);
    assert_eq!(s.handle_input(b"c;"), 2);
    assert_eq!(s.poll_line().unwrap().bytes(), b"b;");
    assert_eq!(s.poll_line().unwrap().bytes(), b"c;");
    assert!(s.poll_line().is_none() && s.buffered() == 0);
}

pub(super) fn biased_byte() -> impl Strategy<Value = u8> {
    prop_oneof![6 => prop::sample::select(b"ab\r\n".to_vec()), 1 => any::<u8>()]
}

/// One capacity: chunked pieces, joined, equal the model (when `N` fits the separator).
fn check<const N: usize>(sep: &[u8], input: &[u8], chunks: &[usize], eager: bool) {
    if N < 2 * sep.len() {
        assert!(LineSplitter::<N>::new(sep).is_err());
        return;
    }
    let pieces = split_chunked::<N>(sep, input, chunks, eager);
    assert_eq!(join(&pieces), model_split(input, sep), "N = {N}");
}

proptest! {
    #[test]
    fn chunking_never_changes_the_lines(
        sep in prop::collection::vec(prop::sample::select(b"ab\r\n".to_vec()), 1..=4),
        input in prop::collection::vec(biased_byte(), 0..200),
        chunks in prop::collection::vec(1usize..24, 1..8),
        eager in any::<bool>(),
    ) {
        check::<2>(&sep, &input, &chunks, eager);
        check::<3>(&sep, &input, &chunks, eager);
        check::<5>(&sep, &input, &chunks, eager);
        check::<8>(&sep, &input, &chunks, eager);
        check::<13>(&sep, &input, &chunks, eager);
        check::<64>(&sep, &input, &chunks, eager);
    }
}
