//! `[bandwidth] watch_secs`: reload the profiles when the files of `bandwidth.dir` change.
//!
//! A Kubernetes ConfigMap mounted as a volume is updated in place (the kubelet swaps a
//! symlink) and nothing signals the process, so the edge looks for itself: every
//! `watch_secs` it reads the directory's `*.toml` files and, when their names or contents
//! differ from the last look, reloads as SIGHUP does (`starlane_edge_profile_reloads_total`).
//! A directory that cannot be read is logged once and looked at again next time.

use super::ProfileStore;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A digest of the names and contents of a directory's `*.toml` files, in name order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirFingerprint(u64);

impl DirFingerprint {
    /// Read `dir` now. Profiles are a few small files, so reading them all is cheap.
    pub fn read(dir: &Path) -> std::io::Result<Self> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
        files.sort();
        let mut h = DefaultHasher::new();
        for path in files {
            path.file_name().hash(&mut h);
            std::fs::read(&path)?.hash(&mut h);
        }
        Ok(Self(h.finish()))
    }
}

/// Watch `dir` every `every` and reload `store` when it differs from `loaded` (its
/// fingerprint read before `store` loaded it, so no change made since is missed), until
/// `shutdown` turns true.
pub fn spawn_profile_watch(
    store: Arc<ProfileStore>,
    dir: PathBuf,
    loaded: Option<DirFingerprint>,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = loaded;
        let mut failing = false;
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.changed() => return,
            }
            match DirFingerprint::read(&dir) {
                Ok(now) => {
                    failing = false;
                    if last == Some(now) {
                        continue;
                    }
                    last = Some(now);
                    match store.reload() {
                        Ok(changed) => tracing::info!(
                            ?changed,
                            dir = %dir.display(),
                            "bandwidth profiles changed on disk; reloaded"
                        ),
                        Err(e) => tracing::error!(
                            error = %e,
                            "bandwidth profiles changed on disk but do not load; keeping the current profiles"
                        ),
                    }
                }
                Err(e) if !failing => {
                    failing = true;
                    tracing::warn!(error = %e, dir = %dir.display(), "cannot read the bandwidth profile directory; will look again");
                }
                Err(_) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // Tests fail loudly on unexpected errors.
    use super::*;

    #[test]
    fn the_fingerprint_follows_names_and_contents_of_toml_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("a.toml"), "x = 1").unwrap();
        let first = DirFingerprint::read(p).unwrap();
        assert_eq!(first, DirFingerprint::read(p).unwrap(), "stable");
        std::fs::write(p.join("README.md"), "not a profile").unwrap();
        assert_eq!(
            first,
            DirFingerprint::read(p).unwrap(),
            "other files ignored"
        );
        std::fs::write(p.join("a.toml"), "x = 2").unwrap();
        let second = DirFingerprint::read(p).unwrap();
        assert_ne!(first, second, "contents");
        std::fs::rename(p.join("a.toml"), p.join("b.toml")).unwrap();
        assert_ne!(second, DirFingerprint::read(p).unwrap(), "names");
        assert!(DirFingerprint::read(&p.join("missing")).is_err());
    }
}
