//! The statement queue's own logic, without the browser: how queued statements are written in
//! local storage, grouped for sending, merged and migrated. `web::Queue` does the IO.
//!
//! The queue belongs to the device and the LRS endpoint (`hearth:queue:<endpoint>`), not to one
//! launch: statements an earlier launch could not send (offline, then the tab closed) are sent by
//! whichever launch to the same endpoint comes next, even in another registration. Each statement
//! keeps its registration, and a batch holds statements of one registration only, so a launch
//! whose token may not send some of them (another learner on a shared device) sets aside that
//! registration's batches for a later launch and still sends the rest.
//!
//! Stored form: one statement a line, `registration`, tab, `id`, tab, the statement's JSON (which
//! serde_json writes on one line). The queue never parses the JSON: the player carries no JSON
//! parser for it.

use std::collections::HashSet;

/// A queued statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub registration: String,
    pub id: String,
    pub json: String,
}

/// The local storage key of an endpoint's queue.
pub fn storage_key(endpoint: &str) -> String {
    format!("hearth:queue:{endpoint}")
}

/// Where statements the LRS refused are set aside, kept and reported (never dropped).
pub fn refused_key(endpoint: &str) -> String {
    format!("{}:refused", storage_key(endpoint))
}

/// Reads a stored queue; lines that are not `registration\tid\tjson` are skipped.
pub fn parse(text: &str) -> Vec<Entry> {
    text.lines()
        .filter_map(|l| {
            let (registration, rest) = l.split_once('\t')?;
            let (id, json) = rest.split_once('\t')?;
            Some(Entry { registration: registration.into(), id: id.into(), json: json.into() })
        })
        .collect()
}

/// The stored form of a queue.
pub fn render(entries: &[Entry]) -> String {
    entries.iter().map(|e| format!("{}\t{}\t{}\n", e.registration, e.id, e.json)).collect()
}

/// The registration of an earlier version's queue key, `hearth:queue:<registration>` (one queue
/// per registration, `id\tjson` lines): such a queue is moved into its endpoint's on load.
pub fn legacy_registration(key: &str) -> Option<&str> {
    let r = key.strip_prefix("hearth:queue:")?;
    let uuid = r.len() == 36
        && r.char_indices()
            .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() });
    uuid.then_some(r)
}

/// Reads an earlier version's queue of `registration` (`id\tjson` lines).
pub fn parse_legacy(registration: &str, text: &str) -> Vec<Entry> {
    text.lines()
        .filter_map(|l| {
            let (id, json) = l.split_once('\t')?;
            Some(Entry { registration: registration.into(), id: id.into(), json: json.into() })
        })
        .collect()
}

/// `a`, then what of `b` is not in it (by id), in order.
pub fn merge(mut a: Vec<Entry>, b: impl IntoIterator<Item = Entry>) -> Vec<Entry> {
    let mut seen: HashSet<String> = a.iter().map(|e| e.id.clone()).collect();
    for e in b {
        if seen.insert(e.id.clone()) {
            a.push(e);
        }
    }
    a
}

/// The next batch to send: up to `max` statements of the registration of the first statement
/// whose registration is not `blocked`, in queue order.
pub fn next_batch<'a>(entries: &'a [Entry], max: usize, blocked: &HashSet<String>) -> Vec<&'a Entry> {
    let Some(first) = entries.iter().find(|e| !blocked.contains(&e.registration)) else { return vec![] };
    entries.iter().filter(|e| e.registration == first.registration).take(max).collect()
}

/// A batch as the JSON array the LRS is sent.
pub fn array(batch: &[&Entry]) -> String {
    format!("[{}]", batch.iter().map(|e| e.json.as_str()).collect::<Vec<_>>().join(","))
}

/// Makes `reason` fit on one field of a line.
pub fn one_line(reason: &str) -> String {
    reason.replace(['\t', '\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const R1: &str = "0b8f6a4e-3c47-4f54-9a0f-52c4a1d2e7b1";
    const R2: &str = "9d7f3b1a-0e4c-4a2b-8f6d-1c2b3a4d5e6f";

    fn e(reg: &str, id: &str) -> Entry {
        Entry {
            registration: reg.into(),
            id: id.into(),
            json: format!("{{\"id\":\"{id}\",\"a\":\"x\\ty\"}}"),
        }
    }

    #[test]
    fn stored_form_round_trips_and_skips_damage() {
        let q = vec![e(R1, "a"), e(R2, "b")];
        let text = render(&q);
        assert_eq!(parse(&text), q);
        assert_eq!(parse(&format!("garbage\n{text}only\ttwo\n")), q);
        assert_eq!(parse(""), vec![]);
    }

    #[test]
    fn keys_are_per_endpoint_and_old_keys_are_recognised() {
        assert_eq!(storage_key("https://lrs.example/xapi/"), "hearth:queue:https://lrs.example/xapi/");
        assert_eq!(
            refused_key("https://lrs.example/xapi/"),
            "hearth:queue:https://lrs.example/xapi/:refused"
        );
        assert_eq!(legacy_registration(&format!("hearth:queue:{R1}")), Some(R1));
        assert_eq!(legacy_registration(&format!("hearth:queue:{R1}:refused")), None);
        assert_eq!(legacy_registration("hearth:queue:https://lrs.example/xapi/"), None);
        assert_eq!(legacy_registration("hearth:seq:x"), None);
    }

    #[test]
    fn an_old_queue_migrates_with_its_registration() {
        let old = "a\t{\"id\":\"a\"}\nb\t{\"id\":\"b\"}\n";
        let moved = parse_legacy(R1, old);
        assert_eq!(moved.len(), 2);
        assert!(moved.iter().all(|m| m.registration == R1));
        assert_eq!(moved[1].json, "{\"id\":\"b\"}");
        // Merged into what the endpoint's queue holds, without doubles.
        let merged = merge(vec![e(R2, "z"), e(R1, "a")], moved);
        assert_eq!(merged.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["z", "a", "b"]);
    }

    #[test]
    fn batches_hold_one_registration_and_skip_blocked_ones() {
        let q = vec![e(R1, "a"), e(R2, "b"), e(R1, "c"), e(R2, "d"), e(R1, "f")];
        let none = HashSet::new();
        let ids = |b: Vec<&Entry>| b.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(next_batch(&q, 50, &none)), ["a", "c", "f"]);
        assert_eq!(ids(next_batch(&q, 2, &none)), ["a", "c"]);
        let blocked: HashSet<String> = [R1.to_string()].into();
        assert_eq!(ids(next_batch(&q, 50, &blocked)), ["b", "d"]);
        let all: HashSet<String> = [R1.to_string(), R2.to_string()].into();
        assert!(next_batch(&q, 50, &all).is_empty());
        assert_eq!(array(&next_batch(&q[..2], 50, &none)), format!("[{}]", q[0].json));
    }

    #[test]
    fn reasons_fit_on_a_line() {
        assert_eq!(one_line("a\tb\nc"), "a b c");
    }
}
