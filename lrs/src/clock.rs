//! `stored` times and the consistency watermark.
//!
//! `X-Experience-API-Consistent-Through` must be a time such that every statement stored at or
//! before it is already visible to queries (Communication §2.1.3) — the commit watermark, not the
//! last write time. Each write takes its `stored` time here and registers as in flight; the
//! watermark is just before the oldest write still in flight (or now when none is). Times never go
//! backwards, so a later write cannot get a `stored` at or below a watermark already handed out.

use std::collections::BTreeMap;
use std::sync::Mutex;
use time::OffsetDateTime;

#[derive(Default)]
struct Inner {
    last_ms: i64,
    next_token: u64,
    in_flight: BTreeMap<(i64, u64), ()>,
}

/// Hands out `stored` times and tracks in-flight writes.
#[derive(Default)]
pub(crate) struct Clock {
    inner: Mutex<Inner>,
}

/// Unregisters a write when dropped (also when the request fails).
pub(crate) struct InFlight<'a> {
    clock: &'a Clock,
    key: (i64, u64),
    pub(crate) stored: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.clock.inner.lock().unwrap_or_else(|e| e.into_inner()).in_flight.remove(&self.key);
    }
}

fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Fixed-width UTC with milliseconds, so stored times sort as text in both databases.
pub(crate) fn format_ms(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&f).unwrap_or_default()
}

/// Parses a query-parameter timestamp (RFC 3339) to the stored format.
pub(crate) fn normalise(s: &str) -> Option<String> {
    let t = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some(format_ms((t.unix_timestamp_nanos() / 1_000_000) as i64))
}

impl Clock {
    pub(crate) fn begin(&self) -> InFlight<'_> {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let ms = now_ms().max(g.last_ms);
        g.last_ms = ms;
        g.next_token += 1;
        let key = (ms, g.next_token);
        g.in_flight.insert(key, ());
        InFlight { clock: self, key, stored: format_ms(ms) }
    }

    pub(crate) fn watermark(&self) -> String {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match g.in_flight.keys().next() {
            Some((ms, _)) => format_ms(ms - 1),
            None => {
                let wm = now_ms().max(g.last_ms);
                // The next write must be stored strictly after the watermark just handed out.
                g.last_ms = wm + 1;
                format_ms(wm)
            }
        }
    }
}

/// A stored time as an HTTP date (IMF-fixdate, RFC 9110 §5.6.7) for `Last-Modified`.
pub(crate) fn http_date(stored: &str) -> Option<String> {
    let t = OffsetDateTime::parse(stored, &time::format_description::well_known::Rfc3339).ok()?;
    let f = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.to_offset(time::UtcOffset::UTC).format(&f).ok()
}
