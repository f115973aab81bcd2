//! The store conformance suite. Each backend's tests open a fresh store and call
//! [`run_all`]; a check panics with a message naming what the backend got wrong.

mod accounts;
mod addresses;
mod backups;
mod catalog;
mod credentials;
mod health;
mod host;
mod hulk;
mod idempotency;
mod jobs;
mod races;
mod restore_queue;
mod sessions;
mod snapshot;
mod zones;

pub use snapshot::copies_are_exact;

use whmd_domain::Stores;

/// Names unique to one run, so suites can share a database without colliding.
#[derive(Debug, Clone)]
pub struct Names {
    prefix: String,
}

impl Names {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    pub fn user(&self, n: &str) -> String {
        format!("{}{n}", self.prefix)
    }
}

/// Runs every check against `stores`. Afterwards the store holds rows of every kind, ready
/// for [`copies_are_exact`].
pub async fn run_all(stores: &Stores, names: &Names) {
    credentials::tokens_round_trip(stores, names).await;
    credentials::token_names_are_unique_per_user(stores, names).await;
    credentials::passwords_set_and_replace(stores, names).await;
    credentials::tokens_are_listed_updated_and_revoked(stores, names).await;
    credentials::access_hashes_follow_their_account(stores, names).await;
    accounts::accounts_round_trip(stores, names).await;
    accounts::names_and_domains_are_unique(stores, names).await;
    accounts::listing_by_owner(stores, names).await;
    accounts::batched_listing(stores, names).await;
    accounts::paged_listing(stores, names).await;
    accounts::updates_are_guarded_by_revision(stores, names).await;
    accounts::renames_move_what_belongs_to_the_user(stores, names).await;
    accounts::removal_and_passwords(stores, names).await;
    accounts::db_prefixes_and_the_log(stores, names).await;
    catalog::packages_round_trip(stores, names).await;
    catalog::packages_reapply_in_batches(stores, names).await;
    catalog::plans_are_guarded(stores, names).await;
    catalog::reseller_limits_hold_in_the_store(stores, names).await;
    catalog::reseller_totals_saturate(stores, names).await;
    catalog::resellers_demote_and_hand_over(stores, names).await;
    catalog::feature_and_acl_lists(stores, names).await;
    hulk::settings_and_lists(stores, names).await;
    hulk::failures_blocks_and_flushing(stores, names).await;
    sessions::sessions_round_trip_and_redeem_once(stores, names).await;
    races::account_limit_holds_under_racing_creates(stores, names).await;
    races::removal_and_creation_do_not_cross(stores, names).await;
    races::racing_changes_get_their_own_answers(stores, names).await;
    idempotency::keys_replay_and_refuse(stores, names).await;
    idempotency::keys_are_released_and_expire(stores, names).await;
    idempotency::racing_claims_run_once(stores, names).await;
    idempotency::only_the_claimant_settles(stores, names).await;
    backups::backup_config_changes_are_never_lost(stores, names).await;
    backups::backup_runs_are_claimed_once(stores, names).await;
    backups::backup_destinations_round_trip_and_guard_their_revision(stores, names).await;
    jobs::jobs_are_logged_by_their_holder_and_fail_when_it_is_gone(stores, names).await;
    restore_queue::restore_tasks_are_taken_in_order_once(stores, names).await;
    idempotency::claims_race_releases(stores, names).await;
    zones::zones_round_trip_and_guard_their_serial(stores, names).await;
    zones::zones_follow_their_account(stores, names).await;
    addresses::the_pool_is_added_to_listed_and_removed(stores, names).await;
    addresses::accounts_hold_pool_addresses_alone(stores, names).await;
    addresses::one_address_one_holder_under_racing_creates(stores, names).await;
    addresses::removal_and_claim_do_not_cross(stores, names).await;
    host::hosts_read_their_accounts(stores, names).await;
    host::removals_leave_tombstones(stores, names).await;
    host::usage_follows_its_account(stores, names).await;
    health::a_working_store_is_ready(stores, names).await;
}
