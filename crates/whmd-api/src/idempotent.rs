//! `Idempotency-Key`: a call that changes something, sent again with the same key and the same
//! arguments, gets the first call's reply and runs nothing (docs/compatibility.md, "Safe
//! retries"). The claim, the kept reply and the one-runs-of-many guarantee are the store's
//! ([`IdempotencyStore`](whmd_domain::store::IdempotencyStore)), so they hold across replicas.

use crate::{Context, dispatch};
use serde_json::{Value, json};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use whmd_domain::store::IdempotencyStore;
use whmd_domain::store::idempotency::{Claim, KeyOf, fingerprint, valid_key};
use whmd_domain::time::unix_now;
use whmd_domain::{Principal, StoreError};
use whmd_wire::{ApiVersion, Args, Reply, ReplyStatus, WhmError};

pub const INVALID_KEY: &str =
    "The Idempotency-Key header must be 1 to 255 printable ASCII characters, without spaces.";
pub const OTHER_CALL: &str = "This Idempotency-Key was used for another call (another function or other arguments); use a new key for a new call.";
pub const STILL_RUNNING: &str =
    "The first call with this Idempotency-Key has not finished yet; try again later.";
pub const UNFINISHED: &str = "The first call with this Idempotency-Key did not finish; whether it made its change is unknown. Check, then use a new key.";

/// How long a retry waits for the first call with its key to finish before it gives up.
const WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(50);
/// How often, and for how long, a claim the store could not settle is tried again.
const SETTLE_RETRY: Duration = Duration::from_secs(1);
const SETTLE_FOR: Duration = Duration::from_secs(5 * 60);
/// A first call still running after this long is taken to have died with its server.
const ABANDONED_SECONDS: i64 = 10 * 60;

/// What a call with a key answered, and whether the reply is a kept one.
#[derive(Debug)]
pub struct Answer {
    pub reply: Reply,
    pub replayed: bool,
}

/// A call's `Idempotency-Key` that is honoured: the call's function changes something, its
/// reply holds no secret, and the caller may run it.
#[derive(Debug)]
pub struct Honoured<'a> {
    key: &'a str,
    version: ApiVersion,
}

/// Whether `key` is honoured for this call; a call whose key is not runs as
/// [`dispatch::call`] runs it, and one that carries none pays for nothing more.
pub fn honoured<'a>(
    ctx: &Context,
    principal: &Principal,
    function: &str,
    args: &Args,
    key: Option<&'a str>,
) -> Option<Honoured<'a>> {
    let key = key?;
    let version = ApiVersion::from_arg(args.get("api.version"));
    let spec = ctx.registry.get(function, &version)?;
    (!spec.read_only && !spec.secret_reply && spec.permits(principal))
        .then_some(Honoured { key, version })
}

/// Runs `function` as [`dispatch::call`] does, honouring its key: the first call runs and its
/// reply is kept; a call with the same key and arguments gets that reply; one with other
/// arguments is refused. Claim, run or replay, settle.
pub async fn call(
    ctx: &Arc<Context>,
    principal: Principal,
    peer: Option<IpAddr>,
    function: &str,
    args: Args,
    honoured: Honoured<'_>,
) -> Answer {
    let Honoured { key, version } = honoured;
    let refuse = |reason: &str| Answer {
        reply: dispatch::reject(ctx, function, &version, reason.to_owned()),
        replayed: false,
    };
    if !valid_key(key) {
        return refuse(INVALID_KEY);
    }
    let user = principal.user.clone();
    let key = KeyOf { user: &user, key };
    let claimant = format!("{:032x}", rand::random::<u128>());
    let print = fingerprint(function, args.iter());
    let store = ctx.stores.idempotency.as_ref();
    let started = tokio::time::Instant::now();
    loop {
        let claim = match store.claim(key, &claimant, &print, unix_now()).await {
            Ok(claim) => claim,
            Err(e) => {
                // The call did not run, whatever became of the claim: a claim that may have
                // been made is let go, now or once the store takes it, so a retry runs.
                let e = match e {
                    StoreError::OutcomeUnknown(source) => {
                        let store = Arc::clone(&ctx.stores.idempotency);
                        settle(store, key, &claimant, Settle::Release).await;
                        StoreError::Unavailable(source)
                    }
                    other => other,
                };
                return Answer {
                    reply: dispatch::failed(ctx, function, &version, WhmError::from(e)),
                    replayed: false,
                };
            }
        };
        match claim {
            Claim::Run => break,
            Claim::Replay(kept) => return replay(ctx, function, &version, &kept),
            Claim::Mismatch => return refuse(OTHER_CALL),
            Claim::Running { since } if unix_now() - since > ABANDONED_SECONDS => {
                return refuse(UNFINISHED);
            }
            Claim::Running { .. } if started.elapsed() >= WAIT => {
                // Not an answer to the call: a 503, so the caller tries again later.
                let mut answer = refuse(STILL_RUNNING);
                answer.reply.status = ReplyStatus::Unavailable;
                return answer;
            }
            Claim::Running { .. } => tokio::time::sleep(POLL).await,
        }
    }
    // A kept reply is kept whole.
    let reply = match dispatch::call(ctx, principal, peer, function, args)
        .await
        .collect()
        .await
    {
        Ok(reply) => reply,
        Err(e) => dispatch::failed(ctx, function, &version, e),
    };
    // A reply of a store that could not be reached, or of a bug, changed nothing for certain
    // only in the first case; either way a retry should run rather than see it again. A change
    // whose commit was lost may have been made: running it again could make it twice, so the
    // key keeps that reply, and a retry is told the outcome is unknown rather than run.
    let how = match reply.status {
        ReplyStatus::Ok | ReplyStatus::OutcomeUnknown => Settle::Keep(kept_form(&reply)),
        ReplyStatus::Unavailable | ReplyStatus::Internal => Settle::Release,
    };
    settle(Arc::clone(&ctx.stores.idempotency), key, &claimant, how).await;
    Answer {
        reply,
        replayed: false,
    }
}

/// What becomes of a claim once its call has answered.
enum Settle {
    /// The reply is kept (in its stored form) for retries to replay.
    Keep(String),
    /// The claim is let go, so a retry runs.
    Release,
}

impl Settle {
    async fn on(
        &self,
        store: &dyn IdempotencyStore,
        key: KeyOf<'_>,
        claimant: &str,
    ) -> Result<(), StoreError> {
        match self {
            Self::Keep(kept) => store.complete(key, claimant, kept).await,
            Self::Release => store.release(key, claimant).await,
        }
    }
}

/// Settles `claimant`'s claim on `key`. When the store cannot take that now (often the very failure
/// that ended the call), it is tried again every [`SETTLE_RETRY`] for up to [`SETTLE_FOR`] in
/// the background: otherwise a retry would find the claim running until it is taken for
/// abandoned.
async fn settle(store: Arc<dyn IdempotencyStore>, key: KeyOf<'_>, claimant: &str, how: Settle) {
    let Err(e) = how.on(store.as_ref(), key, claimant).await else {
        return;
    };
    tracing::warn!(error = %e, "an Idempotency-Key's claim could not be settled yet; trying again");
    let (user, key, claimant) = (key.user.to_owned(), key.key.to_owned(), claimant.to_owned());
    tokio::spawn(async move {
        let until = tokio::time::Instant::now() + SETTLE_FOR;
        loop {
            tokio::time::sleep(SETTLE_RETRY).await;
            let key = KeyOf {
                user: &user,
                key: &key,
            };
            match how.on(store.as_ref(), key, &claimant).await {
                Ok(()) => return,
                Err(e) if tokio::time::Instant::now() >= until => {
                    tracing::warn!(error = %e, "an Idempotency-Key's claim was left unsettled");
                    return;
                }
                Err(_) => {}
            }
        }
    });
}

/// A reply as kept: its XML root and its body, without the password createacct's raw log
/// shows (a kept reply is not a place for a secret).
fn kept_form(reply: &Reply) -> String {
    let mut body = reply.body().into_owned();
    redact(&mut body);
    json!({"root": reply.root, "body": body}).to_string()
}

fn replay(ctx: &Context, function: &str, version: &ApiVersion, kept: &str) -> Answer {
    let parsed: Option<(String, Value)> = serde_json::from_str::<Value>(kept).ok().and_then(|v| {
        let root = v.get("root")?.as_str()?.to_owned();
        Some((root, v.get("body")?.clone()))
    });
    let reply = match parsed {
        Some((root, body)) => Reply::of(ReplyStatus::Ok, root, body),
        None => dispatch::failed(
            ctx,
            function,
            version,
            WhmError::internal("a kept reply could not be read"),
        ),
    };
    Answer {
        reply,
        replayed: true,
    }
}

/// Removes the lines of createacct's `New Account Info` box that show the password, wherever
/// in the reply a text holds one (API 1's `metadata.output.raw`, API 0's `rawout`).
fn redact(value: &mut Value) {
    match value {
        Value::String(text) if text.contains("| PassWord: ") => {
            *text = text
                .split_inclusive('\n')
                .filter(|line| !line.starts_with("| PassWord: "))
                .collect();
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::Object(fields) => fields.values_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_line_is_not_kept() {
        let mut body = json!({"metadata": {"output": {"raw": "| UserName: bob\n| PassWord: s3cret\n| CpanelMod: x\n"}}});
        redact(&mut body);
        assert_eq!(
            body["metadata"]["output"]["raw"],
            "| UserName: bob\n| CpanelMod: x\n"
        );
    }
}
