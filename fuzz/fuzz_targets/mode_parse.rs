//! Fuzzes `parse_mode`: never panics; an accepted mode's canonical string (`Display`)
//! parses back to the same `FileMode` and is itself canonical; a rejection points at a
//! real character of the input (or at its end when no character is to blame).
#![no_main]

use aiofile_core::mode::{parse_mode, ModeErrorKind};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(mode) = core::str::from_utf8(data) else {
        return;
    };
    match parse_mode(mode) {
        Ok(parsed) => {
            let shown = parsed.to_string();
            assert_eq!(shown, parsed.as_str());
            assert_eq!(parse_mode(&shown), Ok(parsed), "{mode:?} -> {shown:?}");
            assert_eq!(parse_mode(&shown).unwrap().to_string(), shown);
            let flags = parsed.open_flags();
            assert_eq!(
                (flags.read, flags.write),
                (parsed.readable, parsed.writable)
            );
        }
        Err(err) => match err.ch {
            Some(ch) => assert_eq!(mode[err.index..].chars().next(), Some(ch), "{err:?}"),
            None => {
                assert_eq!(err.index, mode.len());
                assert!(matches!(
                    err.kind,
                    ModeErrorKind::Empty | ModeErrorKind::NoAccess
                ));
            }
        },
    }
});
