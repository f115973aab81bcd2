//! The OpenAPI 3.1 document of every function whmd serves, made from the registry and each
//! function's request and response types. `GET /openapi.json` serves it and `whmd openapi`
//! prints it; `docs/openapi.json` is a copy that a test keeps in step.
//!
//! Each function is one path, `/json-api/NAME`, called with `api.version=1` (the shape the
//! document describes) by GET or by a form POST; `x-whm-acl` names the privilege it needs
//! (`null`: any authenticated caller), `x-whm-api-versions` the API versions it exists in,
//! `x-whm-list` the list in its data that the output controls (`api.filter`, `api.sort`,
//! `api.chunk`, `api.columns`) apply to, and `x-whm-aliases` other names clients send for its
//! arguments. Functions that change something take the `Idempotency-Key` header.

use crate::function::Signature;
use crate::{Access, FunctionSpec, Registry, Versions};
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};
use whmd_wire::Api1Shape;

/// The page that lists every function by section (docs/functions.md), from the same registry.
pub fn function_list(registry: &Registry) -> String {
    let mut specs: Vec<&FunctionSpec> = registry.specs().collect();
    specs.sort_unstable_by_key(|s| (s.section.to_ascii_lowercase(), s.name));
    let mut page = format!(
        "# Functions\n\n\
         The {} functions whmd serves, by section: the privilege each needs, the API versions \
         it answers in, and the list in its data that API 1's output controls apply to. Made \
         from the registry, as `docs/openapi.json` is (`whmd openapi`), which gives each \
         function's arguments and reply; a test fails when either is out of step with the \
         code.\n",
        specs.len()
    );
    let mut section = "";
    for spec in specs {
        if spec.section != section {
            section = spec.section;
            page.push_str(&format!(
                "\n## {section}\n\n| Function | Privilege | API | Output controls on |\n|---|---|---|---|\n"
            ));
        }
        let acl = match spec.access {
            Access::Acl(acl) => format!("`{}`", acl.name()),
            Access::Authenticated => "any caller".to_owned(),
        };
        let versions = match spec.versions {
            Versions::V0 => "0",
            Versions::V1 => "1",
            Versions::Both => "0, 1",
        };
        let list = spec.list.map(|l| format!("`{l}`")).unwrap_or_default();
        page.push_str(&format!(
            "| `{}` | {acl} | {versions} | {list} |\n",
            spec.name
        ));
    }
    page
}

/// The document, for a server that answers as WHM `whm_version`.
pub fn document(registry: &Registry, whm_version: &str) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let mut specs: Vec<&FunctionSpec> = registry.specs().collect();
    specs.sort_unstable_by_key(|s| s.name);
    let mut paths = Map::new();
    for spec in specs {
        let signature = (spec.describe)(&mut generator);
        paths.insert(format!("/json-api/{}", spec.name), path(spec, &signature));
    }
    let mut definitions = generator.take_definitions(true);
    definitions.insert("Metadata".into(), metadata());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "whmd: WHM API 1",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "The WHM API 1 functions this whmd serves, answering as WHM {whm_version}. \
                 Every function also answers at /xml-api/NAME (the same data as XML), and \
                 those in API 0 without api.version; docs/compatibility.md says where whmd \
                 differs from cPanel's own."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": definitions,
            "securitySchemes": {
                "whmToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`whm USER:TOKEN`, an API token (api_token_create).",
                },
                "basic": {"type": "http", "scheme": "basic"},
            },
        },
        "security": [{"whmToken": []}, {"basic": []}],
    })
}

fn path(spec: &FunctionSpec, signature: &Signature) -> Value {
    let (mut parameters, body) = parameters(&signature.request);
    parameters.insert(
        0,
        json!({
            "name": "api.version",
            "in": "query",
            "required": true,
            "schema": {"type": "integer", "const": 1},
        }),
    );
    if !spec.read_only && !spec.secret_reply {
        parameters.push(json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "A retry with the same key and arguments gets the first reply and runs nothing (kept 24 hours).",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
        }));
    }
    let description = signature
        .request
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut operation = json!({
        "operationId": spec.name,
        "summary": spec.name,
        "tags": [spec.section],
        "externalDocs": {
            "description": "cPanel's description of the function",
            "url": format!("https://api.docs.cpanel.net/openapi/whm/operation/{}/", spec.name),
        },
        "x-whm-acl": match spec.access {
            Access::Acl(acl) => json!(acl.name()),
            Access::Authenticated => Value::Null,
        },
        "x-whm-api-versions": match spec.versions {
            Versions::V0 => json!([0]),
            Versions::V1 => json!([1]),
            Versions::Both => json!([0, 1]),
        },
        "responses": {"200": {
            "description": "The reply; `metadata.result` says whether the function succeeded.",
            "content": {"application/json": {"schema": reply(spec, signature)}},
        }},
    });
    if !description.is_empty() {
        operation["description"] = json!(description);
    }
    if let Some(list) = spec.list {
        operation["x-whm-list"] = json!(list);
    }
    if !spec.aliases.is_empty() {
        let aliases: Map<String, Value> = spec
            .aliases
            .iter()
            .map(|(other, name)| ((*other).to_owned(), json!(name)))
            .collect();
        operation["x-whm-aliases"] = Value::Object(aliases);
    }
    let mut get = operation.clone();
    get["operationId"] = json!(format!("{}_get", spec.name));
    get["parameters"] = json!(parameters);
    let mut post = operation;
    let header = parameters.iter().filter(|p| p["in"] == "header");
    post["parameters"] = json!(
        std::iter::once(&parameters[0])
            .chain(header)
            .collect::<Vec<_>>()
    );
    post["requestBody"] =
        json!({"content": {"application/x-www-form-urlencoded": {"schema": body}}});
    json!({"get": get, "post": post})
}

/// The query parameters a request type's schema stands for, and the schema of the same
/// arguments as a form body.
fn parameters(request: &schemars::Schema) -> (Vec<Value>, Value) {
    let required: Vec<&str> = request
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut parameters = Vec::new();
    let properties: Map<String, Value> = request
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, schema)| (name.clone(), not_null(schema.clone())))
        .collect();
    for (name, schema) in &properties {
        let mut parameter = json!({
            "name": name,
            "in": "query",
            "required": required.contains(&name.as_str()),
            "schema": schema,
        });
        if let Some(description) = schema.get("description") {
            parameter["description"] = description.clone();
        }
        parameters.push(parameter);
    }
    let open = request
        .get("additionalProperties")
        .filter(|a| **a != json!(false));
    if let Some(other) = open {
        parameters.push(json!({
            "name": "arguments",
            "in": "query",
            "style": "form",
            "explode": true,
            "description": "Further arguments, by name.",
            "schema": {"type": "object", "additionalProperties": other},
        }));
    }
    let mut body = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        body["required"] = json!(required);
    }
    if let Some(other) = open {
        body["additionalProperties"] = other.clone();
    }
    (parameters, body)
}

/// An argument's schema without the `null` an `Option` adds: an argument is absent or a value,
/// never null.
fn not_null(mut schema: Value) -> Value {
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            schema["type"] = only.clone();
        }
    }
    if let Some(any) = schema.get_mut("anyOf").and_then(Value::as_array_mut) {
        any.retain(|s| s.get("type") != Some(&json!("null")));
        if let [only] = any.as_slice() {
            let only = only.clone();
            if let Some(object) = schema.as_object_mut() {
                object.remove("anyOf");
                if let Value::Object(fields) = only {
                    object.extend(fields);
                }
            }
        }
    }
    schema
}

/// The API 1 reply: `{data, metadata}`, or the data's keys beside `metadata` (loadavg).
fn reply(spec: &FunctionSpec, signature: &Signature) -> Value {
    let metadata = json!({"$ref": "#/components/schemas/Metadata"});
    let data = signature.response.as_ref().map(|r| r.as_value().clone());
    match (spec.api1, data) {
        (_, None) => json!({
            "type": "object",
            "properties": {"metadata": metadata},
            "required": ["metadata"],
        }),
        (Api1Shape::Envelope, Some(data)) => json!({
            "type": "object",
            "properties": {"data": data, "metadata": metadata},
            "required": ["metadata"],
        }),
        (Api1Shape::TopLevel, Some(data)) => json!({
            "allOf": [data, {"type": "object", "properties": {"metadata": metadata}, "required": ["metadata"]}],
        }),
    }
}

/// The `metadata` every API 1 reply carries.
fn metadata() -> Value {
    json!({
        "type": "object",
        "properties": {
            "version": {"type": "integer"},
            "command": {"type": "string", "description": "The function called."},
            "result": {"type": "integer", "enum": [0, 1]},
            "reason": {"type": "string", "description": "`OK`, or why the function failed."},
            "output": {
                "type": "object",
                "properties": {
                    "messages": {"type": "array", "items": {"type": "string"}},
                    "warnings": {"type": "array", "items": {"type": "string"}},
                    "raw": {"type": "string"},
                },
            },
        },
        "required": ["version", "command", "result", "reason"],
    })
}
