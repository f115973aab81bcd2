//! Checks for [`whmd_domain::store::HulkStore`]: settings, lists, failures counted within
//! their windows, blocks that end, and flushing. Leaves a record of each kind behind for the
//! copy check.

use crate::Names;
use std::net::IpAddr;
use whmd_domain::Stores;
use whmd_domain::hulk::{Block, BlockKind, Failure, HulkConfig, HulkList, HulkRecord};
use whmd_domain::ip::parse_range;

fn failure(user: &str, ip: &str, time: i64) -> Failure {
    Failure {
        time,
        user: user.to_owned(),
        ip: ip.parse().expect("ip"),
        service: "whostmgr".into(),
        authservice: "password".into(),
    }
}

pub async fn settings_and_lists(stores: &Stores, names: &Names) {
    let h = stores.hulk.as_ref();
    assert_eq!(
        h.hulk_config().await.expect("config"),
        HulkConfig::default(),
        "cPanel's defaults until saved"
    );
    let config = HulkConfig {
        max_failures_byip: 3,
        ..HulkConfig::default()
    };
    h.save_hulk_config(&config).await.expect("save");
    assert_eq!(h.hulk_config().await.expect("config"), config);

    let comment = names.user("office");
    let office = HulkRecord {
        range: parse_range("10.20.0.0/16").expect("range"),
        comment: comment.clone(),
    };
    let v6 = HulkRecord {
        range: parse_range("2001:db8::/32").expect("range"),
        comment: String::new(),
    };
    h.add_hulk_records(HulkList::White, &[office.clone(), v6.clone()])
        .await
        .expect("add");
    let renamed = HulkRecord {
        comment: format!("{comment} again"),
        ..office.clone()
    };
    h.add_hulk_records(HulkList::White, std::slice::from_ref(&renamed))
        .await
        .expect("add again");
    let white = h.hulk_records(HulkList::White).await.expect("read");
    assert!(white.contains(&renamed) && white.contains(&v6) && !white.contains(&office));
    let black = parse_range("198.51.100.9").expect("address");
    h.add_hulk_records(
        HulkList::Black,
        &[HulkRecord {
            range: black,
            comment: String::new(),
        }],
    )
    .await
    .expect("add");
    let state = h.hulk_state(0).await.expect("state");
    assert_eq!(state.config, config);
    assert!(state.white.contains(&office.range) && state.black.contains(&black));
    let removed = h
        .remove_hulk_records(
            HulkList::White,
            &[v6.range, parse_range("192.0.2.1").expect("address")],
        )
        .await
        .expect("remove");
    assert_eq!(removed, [v6.range], "only what was on the list");
    assert!(
        !h.hulk_records(HulkList::White)
            .await
            .expect("read")
            .contains(&v6)
    );
}

pub async fn failures_blocks_and_flushing(stores: &Stores, names: &Names) {
    let h = stores.hulk.as_ref();
    let user = names.user("victim");
    let config = HulkConfig::default();
    let t0 = 1_700_000_000;
    // Four failures long ago, outside every window, then three within the address window.
    for i in 0..4 {
        h.record_failure(
            &failure(&user, "192.0.2.10", t0 + i),
            &config.windows(t0 + i),
        )
        .await
        .expect("record");
    }
    let later = t0 + 60 * 60 * 24;
    let mut counts = Default::default();
    for i in 0..3 {
        let at = later + i;
        counts = h
            .record_failure(&failure(&user, "192.0.2.10", at), &config.windows(at))
            .await
            .expect("record");
    }
    assert_eq!(
        (counts.by_ip, counts.by_ip_lookback, counts.by_user),
        (3, 3, 3),
        "old failures do not count and are dropped"
    );
    let other = h
        .record_failure(
            &failure(&names.user("other"), "192.0.2.11", later + 5),
            &config.windows(later + 5),
        )
        .await
        .expect("record");
    assert_eq!((other.by_ip, other.by_user), (1, 1));
    let failed = h.failed_logins(later).await.expect("list");
    assert_eq!(failed.len(), 4);
    assert_eq!(failed[0], failure(&user, "192.0.2.10", later));

    let block = Block {
        kind: BlockKind::Brute,
        key: "192.0.2.10".into(),
        since: later,
        until: later + 900,
        notes: "5 failed logins".into(),
    };
    h.add_blocks(std::slice::from_ref(&block))
        .await
        .expect("block");
    let lock = Block {
        kind: BlockKind::User,
        key: user.clone(),
        since: later,
        until: later + 300,
        notes: String::new(),
    };
    h.add_blocks(std::slice::from_ref(&lock))
        .await
        .expect("lock");
    // The same block again runs to the later end.
    h.add_blocks(&[Block {
        until: later + 1200,
        ..block.clone()
    }])
    .await
    .expect("extend");
    let now = later + 10;
    let blocks = h.hulk_blocks(now).await.expect("blocks");
    assert!(blocks.contains(&Block {
        until: later + 1200,
        ..block.clone()
    }));
    assert!(blocks.contains(&lock));
    let state = h.hulk_state(now).await.expect("state");
    let at = |ip: &str, who: &str, t| state.gate(ip.parse().expect("ip"), who, || t);
    assert!(matches!(
        at("192.0.2.10", "anyone", now),
        whmd_domain::hulk::Gate::Refused(_)
    ));
    // After the window, the lock no longer holds.
    let after = h.hulk_state(later + 301).await.expect("state");
    assert!(
        !after.blocks.contains(&lock),
        "ended blocks are not in force"
    );
    assert!(after.blocks.iter().any(|b| b.key == "192.0.2.10"));

    let ip: IpAddr = "192.0.2.10".parse().expect("ip");
    let removed = h.flush_hulk(Some(&[ip])).await.expect("flush");
    assert_eq!(removed, 4, "three failures and one block of that address");
    let blocks = h.hulk_blocks(now).await.expect("blocks");
    assert_eq!(blocks, std::slice::from_ref(&lock), "user locks stay");
    assert_eq!(h.failed_logins(later).await.expect("list").len(), 1);
    // What the copy check will carry over.
    h.add_blocks(std::slice::from_ref(&block))
        .await
        .expect("block");
}
