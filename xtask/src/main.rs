//! Build and test orchestration: `cargo xtask <task>`.
fn main() {}
