//! The splitter against an obviously correct model, for every way of cutting the input
//! into chunks (fixed sizes and pseudo-random ones), with separators whose prefixes
//! overlap their suffixes ("aa", "abab", "\r\n\r\n") so that matches interleave.
use super::split::{Span, Splitter};

/// `split_inclusive` on a byte separator: leftmost match first, scanning on after it.
fn model(data: &[u8], sep: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i + sep.len() <= data.len() {
        if &data[i..i + sep.len()] == sep {
            out.push(data[start..i + sep.len()].to_vec());
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    if start < data.len() {
        out.push(data[start..].to_vec());
    }
    out
}

/// Runs the splitter over `data` cut at the sizes `cuts` yields.
fn split(data: &[u8], sep: &[u8], mut cuts: impl FnMut() -> usize) -> Vec<Vec<u8>> {
    let mut s = Splitter::new(sep).unwrap();
    let mut out = Vec::new();
    let mut at = 0;
    let mut chunk: &[u8] = &[];
    loop {
        while let Some(span) = s.poll_line(chunk) {
            out.push(match span {
                Span::Chunk(r) => chunk[r].to_vec(),
                Span::Carry => s.carry().to_vec(),
            });
        }
        if at == data.len() {
            break;
        }
        let n = cuts().clamp(1, data.len() - at);
        chunk = &data[at..at + n];
        at += n;
        s.handle_chunk();
    }
    if let Some(Span::Carry) = s.handle_eof() {
        out.push(s.carry().to_vec());
    }
    assert_eq!(s.handle_eof(), None, "the end is reported once");
    out
}

/// xorshift64: reproducible pseudo-random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }
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

#[test]
fn lines_do_not_depend_on_chunk_boundaries() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet = b"ab\r\n\xe2\x86\x92";
    for round in 0..300 {
        let len = rng.below(200);
        let data: Vec<u8> = (0..len).map(|_| alphabet[rng.below(7)]).collect();
        for sep in SEPARATORS {
            let want = model(&data, sep);
            for size in 1..=18 {
                assert_eq!(
                    split(&data, sep, || size),
                    want,
                    "round {round} sep {sep:?} size {size}"
                );
            }
            let mut cuts = Rng(round + 1);
            let got = split(&data, sep, || 1 + cuts.below(40));
            assert_eq!(got, want, "round {round} sep {sep:?}, random cuts");
        }
    }
}

#[test]
fn a_separator_cut_anywhere_is_found() {
    let sep = b"ababababababab\r\n";
    let mut data = b"xy".to_vec();
    data.extend_from_slice(sep);
    data.extend_from_slice(b"abab");
    data.extend_from_slice(sep);
    data.extend_from_slice(b"z");
    let want = model(&data, sep);
    assert_eq!(want.len(), 3);
    for first in 1..data.len() {
        // One cut at `first`, then the rest in one piece.
        let mut sizes = [first, usize::MAX].into_iter();
        assert_eq!(
            split(&data, sep, || sizes.next().unwrap()),
            want,
            "cut at {first}"
        );
    }
}

#[test]
fn lines_inside_a_chunk_are_not_copied_and_the_carry_is_reused() {
    let mut s = Splitter::new(b"\n").unwrap();
    assert_eq!(s.poll_line(b"ab\ncd\nef"), Some(Span::Chunk(0..3)));
    assert_eq!(s.poll_line(b"ab\ncd\nef"), Some(Span::Chunk(3..6)));
    assert_eq!(s.poll_line(b"ab\ncd\nef"), None);
    s.handle_chunk();
    assert_eq!(s.poll_line(b"gh\nij\n"), Some(Span::Carry));
    assert_eq!(s.carry(), b"efgh\n");
    let capacity = s.carry().as_ptr();
    assert_eq!(s.poll_line(b"gh\nij\n"), Some(Span::Chunk(3..6)));
    assert_eq!(s.poll_line(b"gh\nij\n"), None);
    s.handle_chunk();
    assert_eq!(s.poll_line(b"k"), None);
    assert_eq!(s.handle_eof(), Some(Span::Carry));
    assert_eq!((s.carry(), s.carry().as_ptr()), (&b"k"[..], capacity));
}

#[test]
fn separators_of_1_to_16_bytes_only() {
    assert!(Splitter::new(b"").is_err());
    assert!(Splitter::new(&[b'-'; 17]).is_err());
    assert_eq!(Splitter::new(&[b'-'; 16]).unwrap().separator(), &[b'-'; 16]);
    assert_eq!(Splitter::new(b"\r\n").unwrap().separator(), b"\r\n");
}
