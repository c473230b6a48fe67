//! Differential fuzzing of `Utf8Decoder` against one-shot `core::str::from_utf8`.
//!
//! The input picks a start offset, chunk sizes, per-call character limits and the bytes.
//! Whatever the chunking and limits, the concatenated text must equal the valid prefix
//! `from_utf8` finds, the reported error offset must equal `start + valid_up_to()`, and the
//! error kind must match `error_len()` (or a truncated tail at the end).
#![no_main]

use aiofile_core::utf8::{Utf8Decoder, Utf8Error, Utf8ErrorKind};
use arbitrary::Arbitrary;

#[derive(Arbitrary, Debug)]
struct Input {
    start: u32,
    /// Chunk sizes, cycled; each is `1 + size % 16`.
    sizes: Vec<u8>,
    /// Per-call limits, cycled; 0 means "no limit" (`decode`), else `decode_chars(_, n)`.
    limits: Vec<u8>,
    bytes: Vec<u8>,
}

/// Feeds the stream; returns the text and the first error (or `finish()`'s result).
fn run(input: &Input) -> (String, Result<(), Utf8Error>) {
    let start = u64::from(input.start);
    let mut dec = Utf8Decoder::new(start);
    let mut text = String::new();
    let (mut at, mut calls) = (0, 0);
    let mut sizes = input.sizes.iter().map(|s| 1 + usize::from(*s) % 16).cycle();
    while at < input.bytes.len() {
        let size = sizes.next().unwrap_or(input.bytes.len());
        let mut chunk = &input.bytes[at..(at + size).min(input.bytes.len())];
        at += chunk.len();
        while !chunk.is_empty() {
            let limit = match input.limits.get(calls % input.limits.len().max(1)) {
                None | Some(0) => usize::MAX,
                Some(n) => usize::from(*n),
            };
            calls += 1;
            let out = match dec.decode_chars(chunk, limit) {
                Ok(out) => out,
                Err(e) => return (text, Err(e)),
            };
            assert!(out.chars() <= limit);
            assert_eq!(
                out.chars(),
                out.carried().chars().count() + out.body().chars().count()
            );
            assert!(out.consumed() > 0 || dec.error().is_some(), "no progress");
            if out.chars() < limit && dec.error().is_none() {
                assert_eq!(out.consumed(), chunk.len(), "stopped before the limit");
            }
            text.push_str(out.carried());
            text.push_str(out.body());
            assert_eq!(dec.position(), start + text.len() as u64);
            assert_eq!(
                dec.next_offset(),
                dec.position() + dec.pending().len() as u64
            );
            chunk = &chunk[out.consumed()..];
        }
    }
    (text, dec.finish())
}

libfuzzer_sys::fuzz_target!(|input: Input| {
    let (text, outcome) = run(&input);
    let bytes = &input.bytes;
    match core::str::from_utf8(bytes) {
        Ok(s) => {
            assert_eq!(outcome, Ok(()));
            assert_eq!(text, s);
        }
        Err(e) => {
            let at = e.valid_up_to();
            let kind = match e.error_len() {
                Some(len) => Utf8ErrorKind::Invalid { len: len as u8 },
                None => Utf8ErrorKind::Truncated {
                    len: (bytes.len() - at) as u8,
                },
            };
            let offset = u64::from(input.start) + at as u64;
            assert_eq!(outcome, Err(Utf8Error { offset, kind }));
            assert_eq!(text.as_bytes(), &bytes[..at]);
        }
    }
});
