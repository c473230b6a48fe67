//! Fork detection: a reactor remembers the process (and fork generation) that created
//! it, and refuses to touch its kernel context from any other.
use crate::error::Forked;
use crate::sys::os;

/// The process a reactor belongs to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Owner {
    pid: u32,
    generation: u64,
}

impl Owner {
    /// The current process. Registers the `pthread_atfork` hook if not done yet.
    pub(crate) fn current() -> Self {
        Self {
            pid: std::process::id(),
            generation: os::fork_generation(),
        }
    }

    /// `Err` in a process forked after `current()` was called. Costs one atomic load
    /// (the fork generation is bumped by a `pthread_atfork` child handler), not a
    /// `getpid` syscall.
    pub(crate) fn check(&self) -> Result<(), Forked> {
        if os::fork_generation() == self.generation {
            Ok(())
        } else {
            Err(Forked {
                creator_pid: self.pid,
            })
        }
    }
}
