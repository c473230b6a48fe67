//! [`ChunkSplitter`] against the one-shot model of `tests.rs`, for every way of cutting
//! the input into chunks, with separators whose prefixes overlap their suffixes ("aa",
//! "abab", "\r\n\r\n") so that matches interleave, and a separator cut at every offset.
extern crate std;

use std::vec::Vec;

use proptest::prelude::*;

use super::tests::{biased_byte, model_split};
use super::{ChunkSplitter, SeparatorError, Span};

/// Runs the splitter over `input` cut into chunks of the sizes in `chunks` (cycled).
fn split(input: &[u8], sep: &[u8], chunks: &[usize]) -> Vec<Vec<u8>> {
    let mut s = ChunkSplitter::new(sep).unwrap();
    let (mut out, mut rest) = (Vec::new(), input);
    let mut chunk: &[u8] = &[];
    for &size in chunks.iter().cycle() {
        while let Some(span) = s.poll_line(chunk) {
            out.push(match span {
                Span::Chunk(r) => chunk[r].to_vec(),
                Span::Carry => s.carry().to_vec(),
            });
        }
        if rest.is_empty() {
            break;
        }
        (chunk, rest) = rest.split_at(size.clamp(1, rest.len()));
        s.handle_chunk();
    }
    if let Some(Span::Carry) = s.handle_eof() {
        out.push(s.carry().to_vec());
    }
    assert_eq!(s.handle_eof(), None, "the end is reported once");
    out
}

const SEPARATORS: [&[u8]; 8] = [
    b"\n",
    b"\r\n",
    b"aa",
    b"aba",
    b"abab",
    b"\r\n\r\n",
    b"ababababababab\r\n",
    "→".as_bytes(),
];

proptest! {
    #[test]
    fn chunk_boundaries_never_change_the_lines(
        sep in prop::sample::select(SEPARATORS.to_vec()),
        input in prop::collection::vec(
            prop_oneof![4 => biased_byte(), 1 => prop::sample::select("→".as_bytes().to_vec())],
            0..200,
        ),
        chunks in prop::collection::vec(1usize..40, 1..8),
    ) {
        prop_assert_eq!(split(&input, sep, &chunks), model_split(&input, sep));
    }
}

#[test]
fn every_chunk_size_gives_the_model_lines() {
    let input = b"ab\r\naab\r\n\r\nabab\r\nababababababab\r\n\xe2\x86\x92a\na";
    for sep in SEPARATORS {
        for size in 1..=input.len() {
            assert_eq!(
                split(input, sep, &[size]),
                model_split(input, sep),
                "sep {sep:?} size {size}"
            );
        }
    }
}

#[test]
fn a_separator_cut_anywhere_is_found() {
    let sep = b"ababababababab\r\n";
    let mut input = b"xy".to_vec();
    input.extend_from_slice(sep);
    input.extend_from_slice(b"abab");
    input.extend_from_slice(sep);
    input.extend_from_slice(b"z");
    let want = model_split(&input, sep);
    assert_eq!(want.len(), 3);
    for first in 1..input.len() {
        // One cut at `first`, then the rest in one chunk.
        assert_eq!(
            split(&input, sep, &[first, usize::MAX]),
            want,
            "cut at {first}"
        );
    }
}

#[test]
fn lines_inside_a_chunk_are_not_copied_and_the_carry_is_reused() {
    let mut s = ChunkSplitter::new(b"\n").unwrap();
    assert_eq!(s.poll_line(b"ab\ncd\nef"), Some(Span::Chunk(0..3)));
    assert_eq!(s.poll_line(b"ab\ncd\nef"), Some(Span::Chunk(3..6)));
    assert_eq!(s.poll_line(b"ab\ncd\nef"), None);
    s.handle_chunk();
    assert_eq!(s.poll_line(b"gh\nij\n"), Some(Span::Carry));
    assert_eq!(s.carry(), b"efgh\n");
    let storage = s.carry().as_ptr();
    assert_eq!(s.poll_line(b"gh\nij\n"), Some(Span::Chunk(3..6)));
    assert_eq!(s.poll_line(b"gh\nij\n"), None);
    s.handle_chunk();
    assert_eq!(s.poll_line(b"k"), None);
    assert_eq!(s.handle_eof(), Some(Span::Carry));
    assert_eq!((s.carry(), s.carry().as_ptr()), (&b"k"[..], storage));
}

#[test]
fn a_line_longer_than_the_reserve_comes_back_whole() {
    let line: Vec<u8> = (0..3 * super::CARRY_RESERVE)
        .map(|i| b'a' + (i % 26) as u8)
        .collect();
    let mut input = line.clone();
    input.extend_from_slice(b"\nrest");
    let got = split(&input, b"\n", &[100]);
    assert_eq!(got.len(), 2);
    assert_eq!(&got[0][..line.len()], &line[..]);
    assert_eq!(got[1], b"rest");
}

#[test]
fn separators_of_1_to_16_bytes_only() {
    assert_eq!(ChunkSplitter::new(b"").unwrap_err(), SeparatorError::Empty);
    assert_eq!(
        ChunkSplitter::new(&[b'-'; 17]).unwrap_err(),
        SeparatorError::TooLong { len: 17 }
    );
    assert_eq!(
        ChunkSplitter::new(&[b'-'; 16]).unwrap().separator(),
        &[b'-'; 16]
    );
    assert_eq!(ChunkSplitter::new(b"\r\n").unwrap().separator(), b"\r\n");
}
