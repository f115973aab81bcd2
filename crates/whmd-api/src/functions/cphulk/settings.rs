//! cphulk_status, enable_cphulk, disable_cphulk, load_cphulk_config, save_cphulk_config.

use super::check_enabled;
use crate::registry::Call;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use whmd_wire::{Outcome, WhmError};

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

pub fn cphulk_status(call: Call) -> Reply {
    Box::pin(async move {
        let config = call.ctx.stores.hulk.hulk_config().await?;
        let mut data = Map::new();
        data.insert("is_enabled".into(), json!(u8::from(config.is_enabled)));
        data.insert("service".into(), json!("cPHulk"));
        Ok(Outcome::ok(data))
    })
}

async fn switch(call: &Call, on: bool) -> Result<Outcome, WhmError> {
    let mut config = call.ctx.stores.hulk.hulk_config().await?;
    config.is_enabled = on;
    call.ctx.stores.hulk.save_hulk_config(&config).await?;
    Ok(Outcome::done())
}

pub fn enable_cphulk(call: Call) -> Reply {
    Box::pin(async move { switch(&call, true).await })
}

pub fn disable_cphulk(call: Call) -> Reply {
    Box::pin(async move { switch(&call, false).await })
}

pub fn load_cphulk_config(call: Call) -> Reply {
    Box::pin(async move {
        let config = call.ctx.stores.hulk.hulk_config().await?;
        let mut data = Map::new();
        data.insert("cphulk_config".into(), Value::Object(config.to_map()));
        Ok(Outcome::ok(data))
    })
}

pub fn save_cphulk_config(call: Call) -> Reply {
    Box::pin(async move {
        let mut config = call.ctx.stores.hulk.hulk_config().await?;
        check_enabled(&call, &config)?;
        let given = call.args.iter().filter_map(|(k, v)| v.map(|v| (k, v)));
        config
            .apply(given)
            .map_err(|errors| WhmError::Reason(errors.join("\n")))?;
        call.ctx.stores.hulk.save_hulk_config(&config).await?;
        let mut data = Map::new();
        data.insert("cphulk_config".into(), Value::Object(config.to_map()));
        // No SSH daemon to restart: whmd changes nothing outside itself.
        data.insert("restart_ssh".into(), json!(0));
        data.insert("warning".into(), Value::Null);
        Ok(Outcome::ok(data))
    })
}
