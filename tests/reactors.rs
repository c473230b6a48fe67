//! Reactor selection and O_DIRECT through the facade, on whatever this machine offers.
use aiofile::{reactor, AioFile, Error, OpenOptions, ReactorKind};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

fn dir() -> std::path::PathBuf {
    // Not /tmp: tmpfs may refuse O_DIRECT. The target dir is on the real filesystem.
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("reactors-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn every_kind_serves_a_file_or_falls_back_with_a_reason() {
    let d = dir();
    for kind in [ReactorKind::Uring, ReactorKind::Aio, ReactorKind::Threads] {
        let path = d.join(format!("sel-{kind}"));
        block_on(async {
            let f = AioFile::open_with(&path, "w+", OpenOptions::new().reactor(kind))
                .await
                .unwrap();
            let info = f.reactor_info().unwrap();
            match reactor::availability(kind) {
                Ok(()) => assert_eq!(info.kind, kind, "{info}"),
                Err(why) => {
                    println!(
                        "SKIP {kind}: unavailable here ({why}); fell back to {}",
                        info.kind
                    );
                    assert!(info.reason.contains("unavailable"), "{info}");
                }
            }
            f.write(b"hello reactor", 3).await.unwrap();
            assert_eq!(f.read(100, 0).await.unwrap(), b"\0\0\0hello reactor");
            f.fsync().await.unwrap();
            f.close().await.unwrap();
        });
    }
}

#[test]
fn automatic_choice_names_its_reason() {
    let info = aiofile::default_reactor().unwrap();
    println!("default reactor: {info}");
    assert!(!info.reason.is_empty());
    if std::env::var_os("AIOFILE_REACTOR").is_none()
        && reactor::availability(ReactorKind::Uring).is_ok()
    {
        assert_eq!(
            info.kind,
            ReactorKind::Uring,
            "io_uring is preferred for buffered files"
        );
    }
}

#[test]
fn unknown_reactor_names_are_errors() {
    assert!(matches!(
        "fast".parse::<ReactorKind>(),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn direct_files_check_alignment_before_any_io() {
    let d = dir();
    let path = d.join("direct");
    block_on(async {
        let f = match AioFile::open_with(&path, "w+", OpenOptions::new().direct(true)).await {
            Ok(f) => f,
            Err(e) => {
                println!("SKIP: O_DIRECT refused here: {e}");
                return;
            }
        };
        let info = f.reactor_info().unwrap();
        println!("O_DIRECT file served by {info}");
        let align = f.direct_alignment().unwrap().expect("opened with O_DIRECT");
        let block = vec![0xA5u8; align.offset * 2];
        assert_eq!(f.write(&block, 0).await.unwrap(), block.len());
        assert_eq!(f.read(block.len(), 0).await.unwrap(), block);
        // Misaligned offset and length: typed errors, nothing written.
        let e = f.write(&block, 1).await.unwrap_err();
        assert!(matches!(e, Error::Misaligned { what: "offset", .. }), "{e}");
        let e = f.read(align.offset + 1, 0).await.unwrap_err();
        assert!(matches!(e, Error::Misaligned { what: "length", .. }), "{e}");
        assert_eq!(f.len().await.unwrap(), block.len() as u64);
        // Reading to the end in aligned chunks stops at the end of file.
        assert_eq!(f.read_to_end(0).await.unwrap(), block);
        f.close().await.unwrap();
    });
}
