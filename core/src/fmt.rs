//! Logging shim: `trace!`..`error!` go to defmt with the `defmt` feature, nowhere otherwise.
#![allow(unused_macros)]

macro_rules! trace {
    ($($arg:expr),* $(,)?) => {{
        #[cfg(feature = "defmt")]
        ::defmt::trace!($($arg),*);
        #[cfg(not(feature = "defmt"))]
        { $( let _ = &$arg; )* }
    }};
}

macro_rules! debug {
    ($($arg:expr),* $(,)?) => {{
        #[cfg(feature = "defmt")]
        ::defmt::debug!($($arg),*);
        #[cfg(not(feature = "defmt"))]
        { $( let _ = &$arg; )* }
    }};
}

macro_rules! warn {
    ($($arg:expr),* $(,)?) => {{
        #[cfg(feature = "defmt")]
        ::defmt::warn!($($arg),*);
        #[cfg(not(feature = "defmt"))]
        { $( let _ = &$arg; )* }
    }};
}
