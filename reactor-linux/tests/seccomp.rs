//! Fault injection: io_uring refused the way Docker 25+ / containerd 2.0 refuse it. A
//! forked child installs a seccomp filter that answers `EPERM` to `io_uring_setup`,
//! then `UringReactor::new` must return `Unavailable::UringRefused` while kernel AIO
//! still works; the child reports through its exit code.
#![allow(unsafe_code)]
mod common;

use std::sync::Arc;

use aiofile_reactor_linux::{probe, AioReactor, Unavailable, UringReactor};
use common::ThreadFallback;

const SKIP: i32 = 77;

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

/// `EPERM` for `io_uring_setup`, allow everything else (other architectures: allow).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn install_filter() -> bool {
    use libc::{sock_filter, BPF_ABS, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W};
    let stmt = |code: u32, k: u32| sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let jeq = |k: u32, jt: u8, jf: u8| sock_filter {
        code: (BPF_JMP | BPF_JEQ | BPF_K) as u16,
        jt,
        jf,
        k,
    };
    let load = |offset: u32| stmt(BPF_LD | BPF_W | BPF_ABS, offset);
    let ret = |v: u32| stmt(BPF_RET | BPF_K, v);
    let mut filter = [
        load(4), // seccomp_data.arch
        jeq(AUDIT_ARCH, 1, 0),
        ret(libc::SECCOMP_RET_ALLOW),
        load(0), // seccomp_data.nr
        jeq(libc::SYS_io_uring_setup as u32, 0, 1),
        ret(libc::SECCOMP_RET_ERRNO | (libc::EPERM as u32 & libc::SECCOMP_RET_DATA)),
        ret(libc::SECCOMP_RET_ALLOW),
    ];
    let prog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_mut_ptr(),
    };
    // SAFETY: plain prctl calls; `prog` points at `filter`, both alive across the call
    // (the kernel copies the program).
    unsafe {
        libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
            && libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &raw const prog,
            ) == 0
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn install_filter() -> bool {
    false
}

/// The child's checks; the return value is its exit code.
fn child() -> i32 {
    if !install_filter() {
        return SKIP;
    }
    match UringReactor::<Vec<u8>>::new() {
        Err(Unavailable::UringRefused) => {}
        Ok(_) => return 1,
        Err(_) => return 2,
    }
    if !Unavailable::UringRefused.to_string().contains("EPERM") {
        return 3;
    }
    let fb = Arc::new(ThreadFallback::<Vec<u8>>::new(1, 4));
    match AioReactor::<Vec<u8>>::with_entries(8, fb) {
        Ok(_) => 0,
        Err(_) => 4,
    }
}

#[test]
fn io_uring_refused_by_seccomp_is_unavailable() {
    if let Err(e) = &probe().uring {
        println!("SKIP: io_uring already unavailable here: {e}");
        return;
    }
    let aio_ok = probe().aio.is_ok();
    // SAFETY: fork in a test binary with this single test; the child only runs
    // `child()` and leaves with `_exit`, never returning into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = child();
        // SAFETY: terminates the child without running the parent's atexit handlers.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for our own child; `status` outlives the call.
    assert_eq!(unsafe { libc::waitpid(pid, &raw mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status), "child died: status {status:#x}");
    match libc::WEXITSTATUS(status) {
        0 => println!("io_uring refused under seccomp: {}", Unavailable::UringRefused),
        SKIP => println!("SKIP: could not install a seccomp filter"),
        4 if !aio_ok => println!("SKIP (AIO part): kernel AIO unavailable here too"),
        code => panic!(
            "child check {code} failed (1: io_uring still usable, 2: wrong error, 3: message, 4: AIO refused)"
        ),
    }
}
