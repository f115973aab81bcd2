//! How a log line reads: `TIME LEVEL spans target: message key=value …`, the layout of
//! tracing-subscriber's default ("full") format, written without its per-field styling: the
//! access log writes one line per request, and that styling cost more than the rest of the line.
//!
//! Strings are quoted and escaped as `{:?}` writes them (a path or a user name cannot break a
//! line), values given with `%` are written as they display, integers plainly. On a terminal
//! the level is coloured; nothing else is.

use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// The line format of every log line whmd writes.
#[derive(Debug, Clone, Copy)]
pub struct Lines {
    /// Colour the level (standard error is a terminal).
    pub ansi: bool,
}

impl<S, N> FormatEvent<S, N> for Lines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        write_head(&mut writer, SystemTime::now(), *meta.level(), self.ansi)?;
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                writer.write_str(span.name())?;
                let extensions = span.extensions();
                if let Some(fields) = extensions.get::<FormattedFields<N>>()
                    && !fields.is_empty()
                {
                    write!(writer, "{{{fields}}}")?;
                }
                writer.write_char(':')?;
            }
            writer.write_char(' ')?;
        }
        writer.write_str(meta.target())?;
        writer.write_str(": ")?;
        ctx.format_fields(writer.by_ref(), event)?;
        writer.write_char('\n')
    }
}

/// The fields of events and spans, for [`Lines`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Fields;

impl<'writer> FormatFields<'writer> for Fields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        // Gathered here and handed to the writer whole: the writer is reached through a trait
        // object, and a call per piece cost more than the pieces.
        let mut visitor = Visitor {
            line: String::with_capacity(256),
            first: true,
        };
        fields.record(&mut visitor);
        writer.write_str(&visitor.line)
    }
}

struct Visitor {
    line: String,
    first: bool,
}

impl Visitor {
    /// Starts a field: the separator, then `name=` unless it is the message.
    fn start(&mut self, field: &Field) -> bool {
        let name = field.name();
        if name.starts_with("log.") {
            return false;
        }
        if !self.first {
            self.line.push(' ');
        }
        self.first = false;
        if name != "message" {
            self.line.push_str(name.strip_prefix("r#").unwrap_or(name));
            self.line.push('=');
        }
        true
    }
}

impl Visit for Visitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.start(field) {
            return;
        }
        if field.name() == "message" {
            self.line.push_str(value);
        } else {
            push_quoted(&mut self.line, value);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.start(field) {
            push_number(&mut self.line, value);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if self.start(field) {
            if value < 0 {
                self.line.push('-');
            }
            push_number(&mut self.line, value.unsigned_abs());
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.start(field) {
            self.line.push_str(if value { "true" } else { "false" });
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if self.start(field) {
            // Writing to a `String` cannot fail.
            let _ = write!(self.line, "{value}");
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.start(field) {
            let _ = write!(self.line, "{value:?}");
        }
    }
}

/// `value` as `{:?}` writes a string: quoted, with quotes, backslashes and anything not
/// printable escaped. Printable ASCII, the usual case, is copied as it is.
pub(crate) fn push_quoted(line: &mut String, value: &str) {
    if value
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        line.push('"');
        line.push_str(value);
        line.push('"');
    } else {
        let _ = write!(line, "{value:?}");
    }
}

/// `value` in decimal.
pub(crate) fn push_number(line: &mut String, value: u64) {
    let mut digits = [0_u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    line.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// What every line starts with: the time, the level (coloured on a terminal), a space.
pub(crate) fn write_head(
    writer: &mut impl Write,
    now: SystemTime,
    level: Level,
    ansi: bool,
) -> fmt::Result {
    write_time(writer, now)?;
    let (level, colour) = level_columns(level);
    if ansi {
        write!(writer, " \x1b[{colour}m{level}\x1b[0m ")
    } else {
        writer.write_char(' ')?;
        writer.write_str(level)?;
        writer.write_char(' ')
    }
}

/// The level as five columns, and its colour's SGR code.
fn level_columns(level: Level) -> (&'static str, u8) {
    match level {
        Level::TRACE => ("TRACE", 35),
        Level::DEBUG => ("DEBUG", 34),
        Level::INFO => (" INFO", 32),
        Level::WARN => (" WARN", 33),
        Level::ERROR => ("ERROR", 31),
    }
}

/// `2026-12-07T04:34:26.933449Z`: RFC 3339 in UTC, to the microsecond. Its digits are placed
/// by hand: through `write!` the time cost as much as the rest of an access-log line.
fn write_time(writer: &mut impl Write, now: SystemTime) -> fmt::Result {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    // Years beyond 9999 are not written in four digits; the clock is not there yet.
    let seconds = i64::try_from(since.as_secs()).unwrap_or(0);
    let (y, mo, d, h, mi, s, _) = whmd_domain::time::civil(seconds);
    let mut text = *b"0000-00-00T00:00:00.000000Z";
    let year = u32::try_from(y).unwrap_or(0);
    let month = u32::try_from(mo).unwrap_or(0);
    for (at, width, value) in [
        (0, 4, year),
        (5, 2, month),
        (8, 2, d),
        (11, 2, h),
        (14, 2, mi),
        (17, 2, s),
        (20, 6, since.subsec_micros()),
    ] {
        put_digits(&mut text[at..at + width], value);
    }
    writer.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
}

/// Writes the last `place.len()` decimal digits of `value` into `place`.
fn put_digits(place: &mut [u8], mut value: u32) {
    for digit in place.iter_mut().rev() {
        *digit = b'0' + u8::try_from(value % 10).unwrap_or(0);
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use tracing_subscriber::fmt::MakeWriter;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("sink").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Sink {
        type Writer = Sink;

        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    /// What `log` writes, with the timestamp cut off.
    fn line(ansi: bool, log: impl FnOnce()) -> String {
        let sink = Sink::default();
        let subscriber = tracing_subscriber::fmt()
            .event_format(Lines { ansi })
            .fmt_fields(Fields)
            .with_writer(sink.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, log);
        untimed(&sink)
    }

    /// What tracing-subscriber's default format writes, without colours.
    fn default_line(log: impl FnOnce()) -> String {
        let sink = Sink::default();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(sink.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, log);
        untimed(&sink)
    }

    fn untimed(sink: &Sink) -> String {
        let text = String::from_utf8(sink.0.lock().expect("sink").clone()).expect("utf-8");
        text.split_once('Z')
            .map(|(_, rest)| rest.to_owned())
            .unwrap_or(text)
    }

    fn access_line() {
        let peer: std::net::SocketAddr = "127.0.0.1:5555".parse().expect("addr");
        tracing::info!(
            method = %"GET",
            path = "/json-api/version",
            peer = Some(tracing::field::display(peer)),
            function = None::<&str>,
            user = Some("root"),
            result = 1_u8,
            micros = 12_u64,
            "request done"
        );
    }

    fn odd_line() {
        let span = tracing::info_span!("batch_command", function = %"version");
        let _entered = span.enter();
        tracing::warn!(
            user = "a\"b\nc\\d",
            error = ?"x",
            n = -3_i64,
            ok = true,
            zero = 0_u64,
            big = u64::MAX,
            low = i64::MIN,
            "odd"
        );
    }

    #[test]
    fn lines_read_as_the_default_format_writes_them() {
        for log in [access_line, odd_line] {
            assert_eq!(line(false, log), default_line(log));
        }
    }

    #[test]
    fn fields_and_escapes() {
        assert_eq!(
            line(false, access_line),
            "  INFO whmd::log_format::tests: request done method=GET path=\"/json-api/version\" \
             peer=127.0.0.1:5555 user=\"root\" result=1 micros=12\n"
        );
        assert_eq!(
            line(false, odd_line),
            "  WARN batch_command{function=version}: whmd::log_format::tests: odd \
             user=\"a\\\"b\\nc\\\\d\" error=\"x\" n=-3 ok=true zero=0 \
             big=18446744073709551615 low=-9223372036854775808\n"
        );
    }

    #[test]
    fn levels_are_coloured_on_terminals() {
        let got = line(true, || {
            let span = tracing::info_span!("batch_command", function = %"version");
            let _entered = span.enter();
            tracing::error!(n = -3_i64, ok = true, "inside");
        });
        assert_eq!(
            got,
            " \x1b[31mERROR\x1b[0m batch_command{function=version}: \
             whmd::log_format::tests: inside n=-3 ok=true\n"
        );
    }

    #[test]
    fn times_are_rfc_3339_to_the_microsecond() {
        let mut text = String::new();
        let at = UNIX_EPOCH + Duration::from_micros(1_796_617_466_933_449);
        write_time(&mut text, at).expect("write");
        assert_eq!(text, "2026-12-07T04:24:26.933449Z");
        text.clear();
        write_time(&mut text, UNIX_EPOCH).expect("write");
        assert_eq!(text, "1970-01-01T00:00:00.000000Z");
    }
}
