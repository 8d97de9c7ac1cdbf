//! Saving progress and preferences on the learner's device (localStorage). Failures (private mode,
//! storage full) are not fatal: the player keeps working, it just cannot resume later.

fn store() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub(crate) fn get(key: &str) -> Option<String> {
    store()?.get_item(key).ok()?
}

pub(crate) fn set(key: &str, value: &str) {
    if let Some(s) = store() {
        let _ = s.set_item(key, value);
    }
}

pub(crate) fn remove(key: &str) {
    if let Some(s) = store() {
        let _ = s.remove_item(key);
    }
}
