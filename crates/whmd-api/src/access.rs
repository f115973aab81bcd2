//! What the access log says of a request, noted as the dispatcher learns it: the function, the
//! API version, the caller and the result. The server writes one line per request from these
//! (`whmd::http`), without a tracing span per request, which costs more than the line itself.
//! Outside [`noting`] (the command-line client) nothing is noted.

use futures::FutureExt;
use std::borrow::Cow;
use std::cell::RefCell;
use std::future::Future;
use whmd_wire::ApiVersion;

/// The facts of one request; empty where the request never reached a function.
#[derive(Debug, Default)]
pub struct Facts {
    /// As the request named it; the registry's own name when the function exists.
    pub function: Cow<'static, str>,
    pub api_version: Option<ApiVersion>,
    pub user: String,
    pub result: Option<bool>,
}

tokio::task_local! {
    static FACTS: RefCell<Facts>;
}

/// Runs `request`, and hands back with its output what the dispatcher noted while it ran.
/// (Not an `async fn`: one would hold `request` twice over, and a request's future is large.)
pub fn noting<F: Future>(request: F) -> impl Future<Output = (F::Output, Facts)> {
    FACTS.scope(
        RefCell::new(Facts::default()),
        request.map(|output| (output, FACTS.with(RefCell::take))),
    )
}

/// Notes the call being dispatched. The first is the request's own: a batch's commands are
/// dispatched after it.
pub(crate) fn called(function: Cow<'static, str>, api_version: &ApiVersion, user: &str) {
    let _ = FACTS.try_with(|facts| {
        let mut facts = facts.borrow_mut();
        if facts.function.is_empty() {
            facts.function = function;
            facts.api_version = Some(api_version.clone());
            facts.user = user.to_owned();
        }
    });
}

/// Notes a call's result. The last is the request's own: a batch finishes after its commands.
pub(crate) fn finished(result: bool) {
    let _ = FACTS.try_with(|facts| facts.borrow_mut().result = Some(result));
}
