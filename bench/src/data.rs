//! The data files every system reads and writes (made once, reused while their size
//! matches), and the page-cache state each workload starts from.
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::sys::cache;

/// Paths of the three data files.
#[derive(Clone, Debug)]
pub struct DataFiles {
    /// Random bytes: W1, W1b, W2, W3, W4, W7.
    pub read: PathBuf,
    /// Overwritten in place by W5 (pre-allocated, so no system pays block allocation).
    pub write: PathBuf,
    /// Text with 20-140 character lines: W6.
    pub text: PathBuf,
    /// Size of `read` and `write`.
    pub size: u64,
    /// Size of `text` (it ends at a line end, so may be a little shorter).
    pub text_size: u64,
}

const CHUNK: usize = 1 << 20;

/// A small deterministic generator (xorshift64*): data and offsets need no crypto.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed (0 is mapped to a fixed constant).
    pub fn new(seed: u64) -> Self {
        Rng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

impl DataFiles {
    /// Makes (or reuses) the files under `dir`, printing progress.
    ///
    /// # Errors
    /// The OS error of creating or writing a file.
    pub fn prepare(dir: &Path, size: u64, text_size: u64) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let files = DataFiles {
            read: dir.join(format!("read-{}m.dat", size >> 20)),
            write: dir.join(format!("write-{}m.dat", size >> 20)),
            text: dir.join(format!("lines-{}m.txt", text_size >> 20)),
            size,
            text_size,
        };
        make_if_needed(&files.read, size, 1, write_random)?;
        make_if_needed(&files.write, size, 2, write_random)?;
        make_if_needed(&files.text, text_size, 3, write_text)?;
        let text_size = fs::metadata(&files.text)?.len();
        Ok(DataFiles { text_size, ..files })
    }
}

type Maker = fn(&mut BufWriter<File>, u64, &mut Rng) -> io::Result<()>;

fn make_if_needed(path: &Path, size: u64, seed: u64, make: Maker) -> io::Result<()> {
    let marker = path.with_extension("ok");
    let want = format!("{size}\n");
    if fs::read_to_string(&marker).ok().as_deref() == Some(want.as_str()) && path.exists() {
        return Ok(());
    }
    println!("  making {} ({} MiB)", path.display(), size >> 20);
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    let mut w = BufWriter::with_capacity(CHUNK, file);
    make(&mut w, size, &mut Rng::new(seed))?;
    let file = w.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    fs::write(marker, want)
}

fn write_random(w: &mut BufWriter<File>, size: u64, rng: &mut Rng) -> io::Result<()> {
    let mut chunk = vec![0u8; CHUNK];
    let mut left = size;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            word.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        let n = left.min(CHUNK as u64) as usize;
        w.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// Lines of 20..=140 printable ASCII characters plus `\n`, up to `size` bytes (the
/// last whole line that fits).
fn write_text(w: &mut BufWriter<File>, size: u64, rng: &mut Rng) -> io::Result<()> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-";
    let mut line = Vec::with_capacity(142);
    let mut written = 0u64;
    loop {
        line.clear();
        let len = 20 + rng.below(121) as usize;
        line.extend((0..len).map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize]));
        line.push(b'\n');
        if written + line.len() as u64 > size {
            return Ok(());
        }
        w.write_all(&line)?;
        written += line.len() as u64;
    }
}

/// Reads the whole file so it is in the page cache (then checks it is).
///
/// # Errors
/// The OS error of reading.
pub fn warm(path: &Path) -> io::Result<f64> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    while file.read(&mut buf)? > 0 {}
    cache::resident_fraction(path)
}

/// Reads the whole file once with `O_DIRECT` (1 MiB at a time), bypassing the page
/// cache. On a VM this leaves the *host's* cache in the same state for every system of
/// an uncached workload, whichever runs first; the guest's cache is untouched.
///
/// # Errors
/// The OS error of opening or reading.
pub fn warm_device(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::{FileExt, OpenOptionsExt};
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)?;
    let mut buf = crate::sys::aligned::AlignedBuf::new(CHUNK);
    let mut at = 0;
    loop {
        match file.read_at(buf.as_mut_slice(), at)? {
            0 => return Ok(()),
            n => at += n as u64,
        }
    }
}

/// Drops the file from the page cache; returns the resident fraction afterwards.
///
/// # Errors
/// The OS error of syncing or advising.
pub fn drop(path: &Path, global: bool) -> io::Result<f64> {
    cache::drop_file(path, global)?;
    cache::resident_fraction(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_below_stays_in_range_and_varies() {
        let mut r = Rng::new(1);
        let v: Vec<u64> = (0..1000).map(|_| r.below(121)).collect();
        assert!(v.iter().all(|&x| x < 121));
        assert!(v.iter().any(|&x| x < 10) && v.iter().any(|&x| x > 110));
    }

    #[test]
    fn files_have_the_promised_shape() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data")
            .join(format!("test-{}", std::process::id()));
        let f = DataFiles::prepare(&dir, 2 << 20, 1 << 20).unwrap();
        assert_eq!(fs::metadata(&f.read).unwrap().len(), 2 << 20);
        assert_eq!(fs::metadata(&f.write).unwrap().len(), 2 << 20);
        let text = fs::read(&f.text).unwrap();
        assert!(text.len() as u64 > (1 << 20) - 142 && text.len() <= 1 << 20);
        for line in text.split_inclusive(|&b| b == b'\n') {
            assert!((21..=141).contains(&line.len()), "line of {}", line.len());
            assert_eq!(*line.last().unwrap(), b'\n');
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
