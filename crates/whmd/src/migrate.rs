//! `whmd migrate-store --from URL --to URL`: copies every table of one store into another,
//! empty one (either backend to either), then checks the row counts.

use crate::store;
use anyhow::{Context as _, bail};
use whmd_domain::store::snapshot::Counts;

/// Copies and verifies; returns the counts copied.
pub async fn run(from: &str, to: &str) -> anyhow::Result<Counts> {
    let source = store::open(from)
        .await
        .context("cannot open the source store")?;
    let target = store::open(to)
        .await
        .context("cannot open the target store")?;
    let snapshot = source
        .snapshot
        .export()
        .await
        .context("cannot read the source store")?;
    let expected = snapshot.counts();
    let before = source.snapshot.counts().await?;
    if before != expected {
        bail!(
            "the source store changed while it was read ({before:?} rows now, {expected:?} read); stop the servers using it and try again"
        );
    }
    target
        .snapshot
        .import(&snapshot)
        .await
        .context("cannot write the target store (it must be empty)")?;
    let copied = target
        .snapshot
        .counts()
        .await
        .context("cannot count the target store")?;
    if copied != expected {
        bail!(
            "row counts differ after the copy: the source has {expected:?}, the target {copied:?}"
        );
    }
    Ok(copied)
}
