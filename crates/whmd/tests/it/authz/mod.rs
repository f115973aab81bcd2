//! The authorisation matrix: every registered function, called by root, by a reseller holding
//! every privilege but `all` on its own objects and on another's, by a second such reseller
//! the same way, and by a reseller holding no privilege. Every outcome is asserted: allowed,
//! refused (with the registry's ACL as the reason where the privilege is missing), or filtered
//! (a listing without the other reseller's names). Refused calls must change nothing: the
//! whole store is compared before and after them.
//!
//! A function joins the matrix by being registered: one without a case here fails the test.

mod cases;
mod world;

use cases::{CASES, Case, Kind};
use futures::StreamExt;
use serde_json::Value;
use whmd_api::{Access, Registry};
use whmd_wire::ApiVersion;
use world::{Caller, Target, World};

#[tokio::test]
async fn every_function_checks_privileges_and_ownership() {
    let registry = Registry::standard();
    let mut registered: Vec<&str> = registry.specs().map(|s| s.name).collect();
    registered.sort_unstable();
    let mut covered: Vec<&str> = CASES.iter().map(|c| c.function).collect();
    covered.sort_unstable();
    assert_eq!(
        registered, covered,
        "every registered function has exactly one case in the matrix"
    );
    let failures: Vec<String> = futures::stream::iter(CASES)
        .map(|case| async move { run(case).await.err() })
        .buffer_unordered(6)
        .filter_map(|failure| async move { failure })
        .collect()
        .await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The privilege a function needs, as the registry says; `None` for any caller.
fn needed(function: &str) -> Option<whmd_wire::Acl> {
    let registry = Registry::standard();
    let spec = registry
        .get(function, &ApiVersion::V1)
        .or_else(|| registry.get(function, &ApiVersion::V0))
        .expect("registered");
    match spec.access {
        Access::Acl(acl) => Some(acl),
        Access::Authenticated => None,
    }
}

/// Whether the function exists in API 0.
fn in_api0(function: &str) -> bool {
    Registry::standard()
        .get(function, &ApiVersion::V0)
        .is_some()
}

/// Runs one function's row of the matrix in a world of its own.
async fn run(case: &Case) -> Result<(), String> {
    let world = World::build().await;
    let acl = needed(case.function);
    let denied = |reply: &Value, who: &str| -> Result<(), String> {
        let Some(acl) = acl else {
            return expect(reply, 1, who, case);
        };
        let reason = format!("Permission Denied: You do not have the “{acl}” privilege.");
        if reply["metadata"]["result"] == 0 && reply["metadata"]["reason"] == reason.as_str() {
            Ok(())
        } else {
            Err(format!(
                "{}: {who}: wanted the refusal “{reason}”, got {reply}",
                case.function
            ))
        }
    };

    // Refusals (and filtered listings) first; they must leave the store as it was.
    let before = world.snapshot().await;
    denied(
        &world.call(Caller::Bare, Target::A, case).await,
        "the bare reseller",
    )?;
    if acl.is_some() && in_api0(case.function) {
        // API 0 refuses in one flat shape, whatever the function's own (docs/compatibility.md,
        // "Responses").
        let reply = world.call_api0(Caller::Bare, Target::A, case).await;
        if reply != serde_json::json!({"status": 0, "statusmsg": "Permission Denied"}) {
            return Err(format!("{}: API 0 refusal: {reply}", case.function));
        }
    }
    match case.kind {
        Kind::RootOnly => {
            for (caller, target, who) in [
                (Caller::A, Target::B, "reseller A on B's"),
                (Caller::B, Target::A, "reseller B on A's"),
                (Caller::A, Target::A, "reseller A on its own"),
                (Caller::B, Target::B, "reseller B on its own"),
            ] {
                denied(&world.call(caller, target, case).await, who)?;
            }
        }
        Kind::Owned => {
            for (caller, target, who) in [
                (Caller::A, Target::B, "reseller A on B's"),
                (Caller::B, Target::A, "reseller B on A's"),
            ] {
                expect(&world.call(caller, target, case).await, 0, who, case)?;
            }
            // Another's object and one that does not exist must be refused alike.
            let theirs = world.call(Caller::A, Target::B, case).await;
            let missing = world.call(Caller::A, Target::Missing, case).await;
            let (theirs, missing) = (
                world.reason_of(&theirs, Target::B),
                world.reason_of(&missing, Target::Missing),
            );
            if theirs != missing {
                return Err(format!(
                    "{}: another's object is refused with {theirs}, a missing one with {missing}",
                    case.function
                ));
            }
        }
        Kind::Batched => {
            // A command on another's objects refuses the whole batch, as one on a missing
            // object does, before anything runs.
            for (caller, target, who) in [
                (Caller::A, Target::B, "reseller A on B's"),
                (Caller::B, Target::A, "reseller B on A's"),
            ] {
                expect(&world.call(caller, target, case).await, 0, who, case)?;
            }
            let theirs = world.call(Caller::A, Target::B, case).await;
            let missing = world.call(Caller::A, Target::Missing, case).await;
            let (theirs, missing) = (
                world.reason_of(&theirs, Target::B),
                world.reason_of(&missing, Target::Missing),
            );
            if theirs != missing {
                return Err(format!(
                    "batch: another's object is refused with {theirs}, a missing one with {missing}"
                ));
            }
        }
        Kind::Listed { .. } | Kind::Personal => {
            for (caller, foreign, who) in [
                (Caller::A, Target::B, "reseller A"),
                (Caller::B, Target::A, "reseller B"),
            ] {
                let reply = world.call(caller, foreign, case).await;
                expect(&reply, 1, who, case)?;
                world.lacks(&reply, foreign, who, case)?;
            }
        }
        Kind::Global | Kind::Prefixed => {}
    }
    let after = world.snapshot().await;
    if before != after {
        return Err(format!(
            "{}: a refused call changed the store",
            case.function
        ));
    }

    // What each caller may do on its own objects, and root on anyone's.
    match case.kind {
        Kind::RootOnly => {}
        Kind::Prefixed => {
            // Naming another's package lands in the caller's own namespace.
            let theirs = world.package(Target::B).await;
            let reply = world.call(Caller::A, Target::B, case).await;
            expect(&reply, 1, "reseller A on B's name", case)?;
            let made = reply["data"]["pkg"].as_str().unwrap_or("");
            if !made.starts_with(&format!("{}_", world.reseller(Target::A))) {
                return Err(format!("{}: made {made}, not a name of A's", case.function));
            }
            if world.package(Target::B).await != theirs {
                return Err(format!("{}: B's package changed", case.function));
            }
        }
        Kind::Global => {
            expect(
                &world.call(Caller::A, Target::B, case).await,
                1,
                "reseller A",
                case,
            )?;
        }
        Kind::Owned | Kind::Batched | Kind::Listed { .. } | Kind::Personal => {}
    }
    for (caller, target, who) in [
        (Caller::A, Target::A, "reseller A on its own"),
        (Caller::B, Target::B, "reseller B on its own"),
        (Caller::Root, Target::Root, "root"),
    ] {
        if case.kind == Kind::RootOnly && caller != Caller::Root {
            continue;
        }
        let reply = world.call(caller, target, case).await;
        expect(&reply, 1, who, case)?;
        if case.kind == Kind::Batched {
            expect(&reply["data"]["result"][0], 1, who, case)?;
        }
        if case.kind == Kind::Personal {
            world.shows(&reply, target, who, case)?;
        }
        if case.kind == (Kind::Listed { shows_own: true }) {
            world.shows(&reply, target, who, case)?;
            if caller == Caller::Root {
                world.shows(&reply, Target::B, who, case)?;
            }
        }
    }
    Ok(())
}

/// The reply's result is `result`.
fn expect(reply: &Value, result: i64, who: &str, case: &Case) -> Result<(), String> {
    if reply["metadata"]["result"] == result {
        Ok(())
    } else {
        Err(format!(
            "{}: {who}: wanted result {result}, got {reply}",
            case.function
        ))
    }
}
