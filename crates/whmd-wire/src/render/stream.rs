//! A reply whose list is written from its records as it is sent, a piece at a time: the body
//! up to the list, the records, then the rest of the body with the output controls' metadata,
//! which is known only once every record has been written. A reply of any length holds one
//! piece and one batch of records at a time.

use super::xml;
use crate::shape::StreamedList;
use crate::{ApiFormat, Reply, WhmError};
use futures::Stream;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

/// The size a piece of the body grows to before it is handed to the connection.
const PIECE: usize = 64 * 1024;

/// The reply's body in `format`, piece by piece. A reply without a streamed list is one piece.
/// An error while reading the records ends the stream with it: the body is then cut short, and
/// no client can take it for a whole reply.
pub fn chunks(reply: Reply, format: ApiFormat) -> impl Stream<Item = Result<Vec<u8>, WhmError>> {
    let (root, body, list) = reply.into_parts();
    let writer = Writer {
        format,
        root,
        body,
        list,
        name: String::new(),
        first: true,
        state: State::Head,
    };
    futures::stream::try_unfold(writer, |mut writer| async move {
        Ok(writer.piece().await?.map(|piece| (piece, writer)))
    })
}

impl Reply {
    /// The reply with its list read into its body, for a caller that needs the whole value
    /// (batch, the command-line client).
    pub async fn collect(self) -> Result<Reply, WhmError> {
        if self.list.is_none() {
            return Ok(self);
        }
        let (status, root) = (self.status, self.root.clone());
        let mut json = Vec::new();
        let mut pieces = std::pin::pin!(chunks(self, ApiFormat::Json));
        while let Some(piece) = futures::TryStreamExt::try_next(&mut pieces).await? {
            json.extend_from_slice(&piece);
        }
        let body = serde_json::from_slice(&json).map_err(WhmError::internal)?;
        Ok(Reply::of(status, root, body))
    }
}

struct Writer {
    format: ApiFormat,
    root: Cow<'static, str>,
    body: Value,
    list: Option<Box<StreamedList>>,
    /// The element name of the list's records (XML).
    name: String,
    first: bool,
    state: State,
}

enum State {
    Head,
    Records,
    Tail,
    Done,
}

impl Writer {
    async fn piece(&mut self) -> Result<Option<Vec<u8>>, WhmError> {
        loop {
            match self.state {
                State::Head => {
                    let Some(list) = &self.list else {
                        self.state = State::Done;
                        return Ok(Some(super::render(self.format, &self.root, &self.body)));
                    };
                    let (mut head, at, name) = self.open(&list.path);
                    head.truncate(at);
                    self.name = name;
                    self.state = State::Records;
                    return Ok(Some(head));
                }
                State::Records => {
                    let piece = self.records().await?;
                    if !piece.is_empty() {
                        return Ok(Some(piece));
                    }
                }
                State::Tail => {
                    let Some(list) = self.list.take() else {
                        return Ok(None);
                    };
                    if let Some(Value::Object(metadata)) = self.body.get_mut("metadata") {
                        metadata.extend(list.records.metadata());
                    }
                    let (tail, at, _) = self.open(&list.path);
                    self.state = State::Done;
                    return Ok(Some(tail[at..].to_vec()));
                }
                State::Done => return Ok(None),
            }
        }
    }

    /// Records until a piece is full or the list ends.
    async fn records(&mut self) -> Result<Vec<u8>, WhmError> {
        let mut piece = Vec::with_capacity(PIECE + PIECE / 4);
        let Some(list) = &mut self.list else {
            self.state = State::Tail;
            return Ok(piece);
        };
        while piece.len() < PIECE {
            let Some(record) = list.records.next().await? else {
                self.state = State::Tail;
                break;
            };
            match self.format {
                ApiFormat::Json => {
                    if !std::mem::take(&mut self.first) {
                        piece.push(b',');
                    }
                    put(&mut piece, &record);
                }
                ApiFormat::Xml => {
                    let mut text = String::new();
                    xml::element(&mut text, &self.name, &record);
                    piece.extend_from_slice(text.as_bytes());
                }
            }
        }
        Ok(piece)
    }

    /// The whole body with the list left empty, where the list's records go, and (XML) the
    /// name of their elements.
    fn open(&self, path: &[String]) -> (Vec<u8>, usize, String) {
        match self.format {
            ApiFormat::Json => {
                let mut out = Vec::with_capacity(256);
                let at = json_around(&mut out, &self.body, path);
                (out, at.unwrap_or(0), String::new())
            }
            ApiFormat::Xml => {
                let (text, at, name) = xml::open(&self.root, &self.body, path);
                (text.into_bytes(), at, name)
            }
        }
    }
}

/// Writes `value` as JSON with the array at `path` left empty; the offset just inside it.
fn json_around(out: &mut Vec<u8>, value: &Value, path: &[String]) -> Option<usize> {
    let (Some((next, rest)), Value::Object(map)) = (path.split_first(), value) else {
        if path.is_empty() {
            out.push(b'[');
            let at = out.len();
            out.push(b']');
            return Some(at);
        }
        put(out, value);
        return None;
    };
    let mut at = None;
    out.push(b'{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        put(out, key);
        out.push(b':');
        if key == next {
            at = json_around(out, value, rest);
        } else {
            put(out, value);
        }
    }
    out.push(b'}');
    at
}

/// Serialising JSON values and strings into memory cannot fail: map keys are strings.
fn put(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    let _ = serde_json::to_writer(out, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{Records, apply};
    use crate::shape::{Api0Shape, Api1Shape, ReplyStatus, list_path};
    use crate::{ApiVersion, Args, Listing, Outcome};
    use futures::TryStreamExt;
    use serde_json::{Map, json};

    fn records(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| json!({"user": format!("u{i:05}"), "diskused": format!("{}M", i % 7), "note": "<&>"}))
            .collect()
    }

    fn data(list: Vec<Value>) -> Map<String, Value> {
        let mut data = Map::new();
        data.insert("before".into(), json!("b"));
        data.insert("acct".into(), Value::Array(list));
        data.insert("after".into(), json!(["a"]));
        data
    }

    /// The reply with its list streamed, and the same reply built whole.
    fn both(version: &ApiVersion, api0: Api0Shape, n: usize, meta: Option<&str>) -> (Reply, Reply) {
        let meta = meta.map(|q| Args::from_form(q.as_bytes(), b"").expect("meta"));
        let mut whole = data(records(n));
        let controls = meta.as_ref().map(|m| apply(m, &mut whole, Some("acct")));
        let mut outcome = Outcome::ok(whole);
        outcome.controls = controls;
        let expected = Reply::new(
            "listaccts",
            version,
            api0,
            Api1Shape::Envelope,
            outcome,
            ReplyStatus::Ok,
        );
        let path =
            list_path(version, api0, Api1Shape::Envelope, &["acct".to_owned()]).expect("a path");
        let mut reply = Reply::new(
            "listaccts",
            version,
            api0,
            Api1Shape::Envelope,
            Outcome::ok(data(Vec::new())),
            ReplyStatus::Ok,
        );
        let mut list = Records::new(Listing::of(records(n)), meta.as_ref());
        futures::executor::block_on(list.prepare()).expect("prepared");
        reply.list = Some(Box::new(StreamedList {
            path,
            records: list,
        }));
        (reply, expected)
    }

    fn written(reply: Reply, format: ApiFormat) -> (Vec<u8>, usize) {
        futures::executor::block_on(async {
            let pieces: Vec<Vec<u8>> = chunks(reply, format).try_collect().await.expect("written");
            (pieces.concat(), pieces.len())
        })
    }

    const STATUS: Api0Shape = Api0Shape::Status {
        ok: "Ok",
        rename: Some(("acct", "accts")),
    };

    #[test]
    fn a_streamed_list_is_written_as_the_whole_reply_would_be() {
        let cases = [
            (ApiVersion::V1, Api0Shape::Flat, 3, None),
            (ApiVersion::V1, Api0Shape::Flat, 0, None),
            (ApiVersion::V0, STATUS, 3, None),
            (ApiVersion::V0, Api0Shape::Flat, 1, None),
            (
                ApiVersion::V1,
                Api0Shape::Flat,
                40,
                Some(
                    "api.columns.enable=1&api.columns.a=user&api.columns.b=diskused&api.filter.enable=1&api.filter.verbose=1&api.filter.a.field=diskused&api.filter.a.arg0=3\
                      &api.sort.enable=1&api.sort.verbose=1&api.sort.a.field=user&api.sort.a.reverse=1&api.chunk.enable=1&api.chunk.verbose=1&api.chunk.size=2&api.chunk.select=2",
                ),
            ),
        ];
        for (version, api0, n, meta) in cases {
            for format in [ApiFormat::Json, ApiFormat::Xml] {
                let (reply, expected) = both(&version, api0, n, meta);
                let (bytes, _) = written(reply, format);
                assert_eq!(
                    String::from_utf8(bytes).expect("utf-8"),
                    String::from_utf8(expected.render(format)).expect("utf-8"),
                    "{version} {api0:?} {n} {meta:?} {format:?}"
                );
            }
        }
    }

    #[test]
    fn a_long_list_is_written_in_pieces_and_collects_to_the_whole() {
        let (reply, expected) = both(&ApiVersion::V1, Api0Shape::Flat, 5000, None);
        let (bytes, pieces) = written(reply, ApiFormat::Json);
        assert!(pieces > 3, "{pieces} pieces");
        assert_eq!(
            serde_json::from_slice::<Value>(&bytes).expect("json"),
            expected.into_body()
        );
        let (reply, expected) = both(
            &ApiVersion::V1,
            Api0Shape::Flat,
            5000,
            Some("api.filter.enable=1&api.filter.a.field=user&api.filter.a.arg0=u00"),
        );
        let collected = futures::executor::block_on(reply.collect()).expect("collected");
        assert!(collected.list.is_none());
        assert_eq!(collected.body(), expected.body());
    }
}
