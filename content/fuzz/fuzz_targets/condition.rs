//! The condition parser never panics, and whatever it accepts prints to a form that parses to the
//! same canonical text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(expr) = content::expr::parse(src) {
        let printed = expr.to_string();
        let again = content::expr::parse(&printed).expect("the canonical form parses");
        assert_eq!(again.to_string(), printed);
    }
});
