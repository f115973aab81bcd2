//! The dispatcher: api.version → registry lookup → privilege check → handler → envelope.
//!
//! Every path out of here is a [`Reply`]: unknown functions, refusals, handler failures and
//! panics alike. Internal failures are logged with an incident ID the caller also sees.

use crate::access;
use crate::outage::chain;
use crate::registry::Call;
use crate::{Access, Context, FunctionSpec};
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::Value;
use std::borrow::Cow;
use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use whmd_domain::Principal;
use whmd_wire::output::Records;
use whmd_wire::{
    Api0Shape, ApiVersion, Args, Listing, Outcome, Reply, ReplyStatus, StreamedList, WhmError,
    list_path, output,
};

/// Runs `function` for `principal`, calling from `peer` (`None` on the server itself), with
/// the request's merged arguments.
///
/// What is settled before the handler runs (the function, the privilege, the arguments) is
/// settled in plain functions, and a list's reading is boxed, so that the future holds little
/// more than the handler's run: every request's future is moved by each layer above it.
pub async fn call(
    ctx: &Arc<Context>,
    principal: Principal,
    peer: Option<IpAddr>,
    function: &str,
    args: Args,
) -> Reply {
    match admit(ctx, principal, peer, function, args) {
        Ok(admitted) => run(ctx, function, admitted).await,
        Err(reply) => reply,
    }
}

/// A call let through, with its handler's run made and not yet begun.
struct Admitted<'a> {
    spec: &'a FunctionSpec,
    version: ApiVersion,
    meta: Arc<Args>,
    handler: BoxFuture<'static, Result<Outcome, WhmError>>,
}

/// The function the call names, if it exists and the caller may run it; otherwise the reply.
fn admit<'a>(
    ctx: &'a Arc<Context>,
    principal: Principal,
    peer: Option<IpAddr>,
    function: &str,
    mut args: Args,
) -> Result<Admitted<'a>, Reply> {
    let meta = Arc::new(args.take_meta());
    let version = ApiVersion::from_arg(meta.get("api.version"));
    let spec = ctx.registry.get(function, &version);
    let name = spec.map_or_else(
        || Cow::Owned(function.to_owned()),
        |s| Cow::Borrowed(s.name),
    );
    access::called(name, &version, &principal.user);
    let Some(spec) = spec else {
        access::finished(false);
        return Err(Reply::unknown_app(function, &version));
    };
    if !spec.permits(&principal) {
        access::finished(false);
        return Err(denied(spec, &version));
    }
    for (other, name) in spec.aliases {
        args.rename(other, name);
    }
    let call = Call {
        ctx: Arc::clone(ctx),
        principal,
        peer,
        meta: Arc::clone(&meta),
        version: version.clone(),
    };
    Ok(Admitted {
        spec,
        version,
        meta,
        handler: (spec.handler)(call, args),
    })
}

/// Runs the handler and shapes its outcome. A panic is a failure like any other.
async fn run(ctx: &Arc<Context>, function: &str, admitted: Admitted<'_>) -> Reply {
    let Admitted {
        spec,
        version,
        meta,
        handler,
    } = admitted;
    let result = match AssertUnwindSafe(handler).catch_unwind().await {
        Ok(result) => result,
        Err(_) => Err(WhmError::internal("the handler panicked")),
    };
    if !spec.read_only {
        ctx.auth.forget();
    }
    let ran = Ran {
        ctx,
        function,
        spec,
        version,
        meta,
    };
    match ran.reply(result) {
        Ok(reply) => reply,
        Err(listed) => listed.await,
    }
}

/// A call whose handler has run.
struct Ran<'a> {
    ctx: &'a Context,
    function: &'a str,
    spec: &'a FunctionSpec,
    version: ApiVersion,
    meta: Arc<Args>,
}

impl<'a> Ran<'a> {
    /// The reply to `result`; for an outcome with a list, the work of reading what its reply
    /// needs first. (Boxed, so that every call's future need not hold a list's reader.)
    fn reply(self, result: Result<Outcome, WhmError>) -> Result<Reply, BoxFuture<'a, Reply>> {
        let (mut outcome, status) = match result {
            Ok(outcome) => (outcome, ReplyStatus::Ok),
            Err(e) => failure(self.ctx, self.function, e),
        };
        match list_of(self.spec, &mut outcome) {
            Ok(None) => {
                access::finished(outcome.result);
                Ok(shaped(self.spec, &self.version, outcome, status))
            }
            Ok(Some((at, listing))) => Err(Box::pin(self.listed(outcome, status, at, listing))),
            Err(e) => {
                access::finished(false);
                Ok(self.failed(e))
            }
        }
    }

    /// The reply with the list at `at`: streamed from its records as the reply is sent, or,
    /// for a shape that folds the data into a record, read whole into the data. The output
    /// controls apply to a list function's list in API 1.
    async fn listed(
        self,
        mut outcome: Outcome,
        status: ReplyStatus,
        at: Vec<String>,
        listing: Listing,
    ) -> Reply {
        let (spec, version) = (self.spec, &self.version);
        let controls = *version == ApiVersion::V1
            && outcome.controls.is_none()
            && spec.list.is_some()
            && output::requested(&self.meta);
        let mut records = Records::new(listing, controls.then_some(&*self.meta));
        if let Err(e) = records.prepare().await {
            access::finished(false);
            return self.failed(e);
        }
        access::finished(outcome.result);
        if let Some(path) = list_path(version, spec.api0, spec.api1, &at) {
            let mut reply = shaped(spec, version, outcome, status);
            reply.list = Some(Box::new(StreamedList { path, records }));
            return reply;
        }
        let mut whole = Vec::new();
        loop {
            match records.next().await {
                Ok(Some(record)) => whole.push(record),
                Ok(None) => break,
                Err(e) => return self.failed(e),
            }
        }
        if let Some(slot) = outcome.data.as_mut().and_then(|d| slot(d, &at)) {
            *slot = Value::Array(whole);
        }
        shaped(spec, version, outcome, status)
    }

    fn failed(&self, e: WhmError) -> Reply {
        let (failed, status) = failure(self.ctx, self.function, e);
        shaped(self.spec, &self.version, failed, status)
    }
}

/// A function's list and where it goes in the data: the records its handler streams from
/// their source, or the list its data holds under the function's list key, whose place in the
/// data is then an empty array. The output controls run on a list function's list only;
/// what a sort or a page needs is read by the caller ([`Records::prepare`]), so a store that
/// fails while reading it fails the call.
fn list_of(
    spec: &FunctionSpec,
    outcome: &mut Outcome,
) -> Result<Option<(Vec<String>, Listing)>, WhmError> {
    let Some(data) = outcome.data.as_mut() else {
        return Ok(None);
    };
    let (at, listing) = match (outcome.listing.take(), spec.list) {
        (Some(listing), _) if !listing.path().is_empty() => (listing.path().to_vec(), listing),
        (Some(listing), Some(key)) => {
            data.insert(key.to_owned(), Value::Array(Vec::new()));
            (vec![key.to_owned()], listing)
        }
        (Some(_), None) => {
            return Err(WhmError::internal("a streamed list without a place"));
        }
        (None, Some(key)) => match data.get_mut(key) {
            Some(Value::Array(records)) => {
                (vec![key.to_owned()], Listing::of(std::mem::take(records)))
            }
            _ => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    Ok(Some((at, listing)))
}

/// The value at `path` in `data`.
fn slot<'a>(
    data: &'a mut serde_json::Map<String, Value>,
    path: &[String],
) -> Option<&'a mut Value> {
    let (first, rest) = path.split_first()?;
    rest.iter()
        .try_fold(data.get_mut(first)?, |value, key| value.get_mut(key))
}

/// The refusal of a function the caller lacks the privilege for. API 0 answers WHM's one flat
/// `{status: 0, statusmsg: "Permission Denied"}` whatever the function's own shape
/// (docs/compatibility.md, "Responses"); API 1 names the privilege.
fn denied(spec: &FunctionSpec, version: &ApiVersion) -> Reply {
    match spec.access {
        Access::Acl(acl) if version.uses_metadata() => shaped(
            spec,
            version,
            Outcome::failure(WhmError::PermissionDenied(acl).to_string()),
            ReplyStatus::Ok,
        ),
        _ => Reply::new(
            spec.name,
            version,
            Api0Shape::Flat,
            spec.api1,
            Outcome::failure("Permission Denied"),
            ReplyStatus::Ok,
        ),
    }
}

/// The reply for a call whose arguments could not be read: the function's own failure shape,
/// or "Unknown app" when it does not exist.
pub fn reject(ctx: &Context, function: &str, version: &ApiVersion, reason: String) -> Reply {
    match ctx.registry.get(function, version) {
        Some(spec) => shaped(spec, version, Outcome::failure(reason), ReplyStatus::Ok),
        None => Reply::unknown_app(function, version),
    }
}

/// The reply for a call that failed before its function ran (a store that could not be
/// reached): the function's own failure shape, with the error's status.
pub fn failed(ctx: &Context, function: &str, version: &ApiVersion, e: WhmError) -> Reply {
    let (outcome, status) = failure(ctx, function, e);
    match ctx.registry.get(function, version) {
        Some(spec) => shaped(spec, version, outcome, status),
        None => Reply::unknown_app(function, version),
    }
}

fn shaped(
    spec: &FunctionSpec,
    version: &ApiVersion,
    outcome: Outcome,
    status: ReplyStatus,
) -> Reply {
    Reply::new(spec.name, version, spec.api0, spec.api1, outcome, status)
}

fn failure(ctx: &Context, function: &str, e: WhmError) -> (Outcome, ReplyStatus) {
    let status = e.status();
    match &e {
        WhmError::Unavailable(_) | WhmError::OutcomeUnknown(_) => {
            let incident: u32 = rand::random();
            ctx.outage.failed(function, incident, &e);
            (Outcome::failure(format!("{e} (ID {incident})")), status)
        }
        WhmError::Internal(_) => {
            let incident: u32 = rand::random();
            tracing::error!(function, incident, error = %chain(&e), "function failed");
            (
                Outcome::failure(format!("Internal Error (ID {incident})")),
                status,
            )
        }
        _ => (Outcome::failure(e.to_string()), status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::function::{NoData, function};
    use crate::registry::Call;
    use crate::{Registry, ServerInfo};
    use serde_json::json;
    use whmd_domain::AuthMethod;
    use whmd_store_sqlite::SqliteStore;
    use whmd_wire::{Acl, AclSet};

    async fn panics(_: Call, _: ()) -> Result<Outcome<NoData>, WhmError> {
        panic!("boom")
    }

    #[derive(serde::Serialize, schemars::JsonSchema)]
    struct Zones {
        zone: Vec<Value>,
    }

    async fn zones(_: Call, _: ()) -> Result<Outcome<Zones>, WhmError> {
        Ok(Outcome::ok(Zones {
            zone: vec![json!({"record": [1]}), json!({"record": [2]})],
        }))
    }

    async fn reads_store(call: Call, _: ()) -> Result<Outcome<NoData>, WhmError> {
        call.ctx.stores.credentials.password_hash("root").await?;
        Ok(Outcome::done())
    }

    /// A context whose store is real but closed, as when the database has gone away.
    async fn context() -> Arc<Context> {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(&format!("sqlite://{}", dir.path().join("db").display()))
            .await
            .expect("store");
        store.close().await;
        let specs = [
            function!("panics", Authenticated, Both, panics),
            function!("reads_store", Acl::LIST_ACCTS, Both, reads_store),
            function!("zones", Authenticated, Both, zones)
                .list("zone")
                .api0(Api0Shape::Listed {
                    key: "result",
                    data: whmd_wire::Api0Data::FirstOf("zone"),
                    raw: None,
                    messages: false,
                }),
        ];
        Arc::new(Context {
            info: ServerInfo {
                hostname: "h".into(),
                whm_version: "11.120.0.16".into(),
                main_ip: "192.0.2.1".into(),
                nameservers: vec![],
                db_prefix_length: 8,
                https_port: None,
                home_roots: None,
                data_dir: "/nonexistent".into(),
                secrets: Arc::new(whmd_domain::sealed::SecretsKey::new(
                    &whmd_domain::sealed::SecretsKey::generate(),
                )),
                auth: whmd_domain::auth::AuthPolicy::default(),
            },
            auth: whmd_domain::auth::Authenticator::new(
                store.stores(),
                whmd_domain::auth::AuthPolicy::default(),
                Arc::new(whmd_domain::audit::MemoryAudit::default()),
            ),
            audit: Arc::new(whmd_domain::audit::MemoryAudit::default()),
            stores: store.stores(),
            host: Arc::new(whmd_domain::host::Unmanaged),
            registry: Registry::from_specs(&specs),
            dns: Arc::new(whmd_domain::dns::StoreOnly),
            outage: crate::outage::Outage::new(store.stores().health),
        })
    }

    fn root() -> Principal {
        Principal {
            user: "root".into(),
            acls: AclSet::root(),
            method: AuthMethod::Local,
        }
    }

    fn v1() -> Args {
        Args::from_pairs([("api.version", "1")]).expect("args")
    }

    #[tokio::test]
    async fn a_panicking_handler_is_a_500_with_an_incident_id() {
        let reply = call(&context().await, root(), None, "panics", v1()).await;
        assert_eq!(reply.status, ReplyStatus::Internal);
        let body = reply.into_body();
        let reason = body["metadata"]["reason"].as_str().expect("reason");
        assert!(reason.starts_with("Internal Error (ID "), "{reason}");
        assert!(!reason.contains("boom"), "the panic text stays in the log");
    }

    #[tokio::test]
    async fn an_unreachable_store_is_a_503() {
        let reply = call(&context().await, root(), None, "reads_store", v1()).await;
        assert_eq!(reply.status, ReplyStatus::Unavailable);
        assert_eq!(reply.body()["metadata"]["result"], json!(0));
    }

    #[tokio::test]
    async fn the_access_log_hears_of_the_request_s_own_call() {
        let ctx = context().await;
        let (reply, facts) = access::noting(call(&ctx, root(), None, "reads_store", v1())).await;
        assert_eq!(reply.status, ReplyStatus::Unavailable);
        assert_eq!(
            (
                &*facts.function,
                facts.api_version.as_ref().map(ApiVersion::as_str),
                facts.user.as_str()
            ),
            ("reads_store", Some("1"), "root")
        );
        assert_eq!(facts.result, Some(false));
        // Calls made within it (a batch's commands) keep the first call's name; the last to
        // finish gives the result.
        let (_, facts) = access::noting(async {
            call(&ctx, root(), None, "outer", v1()).await;
            call(&ctx, root(), None, "reads_store", v1()).await
        })
        .await;
        assert_eq!(facts.function, "outer");
        assert_eq!(facts.result, Some(false));
        let (_, facts) = access::noting(async {}).await;
        assert!(facts.function.is_empty() && facts.result.is_none());
    }

    #[tokio::test]
    async fn a_list_folded_into_an_api0_record_is_read_whole() {
        let ctx = context().await;
        let args = Args::from_pairs([("api.version", "0")]).expect("args");
        let reply = call(&ctx, root(), None, "zones", args).await;
        assert!(reply.list.is_none());
        assert_eq!(
            *reply.body(),
            json!({"result": [{"status": 1, "statusmsg": "OK", "record": [1]}]})
        );
        let reply = call(&ctx, root(), None, "zones", v1()).await;
        assert!(reply.list.is_some(), "API 1 streams it");
        let whole = reply.collect().await.expect("collected");
        assert_eq!(whole.body()["data"]["zone"][1], json!({"record": [2]}));
    }

    #[tokio::test]
    async fn the_acl_is_checked_before_the_handler_runs() {
        let nobody = Principal {
            acls: AclSet::EMPTY,
            ..root()
        };
        // The handler would fail with 503; the refusal comes first.
        let reply = call(&context().await, nobody, None, "reads_store", v1()).await;
        assert_eq!(reply.status, ReplyStatus::Ok);
        assert_eq!(
            reply.body()["metadata"]["reason"],
            json!("Permission Denied: You do not have the “list-accts” privilege.")
        );
    }
}
