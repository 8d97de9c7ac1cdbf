//! Integration tests over real HTTP on 127.0.0.1:0, each run against both backends: SQLite in a
//! temp dir and PostgreSQL (`HEARTH_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`)
//! in a fresh schema per test. Without PostgreSQL the PG variants print `skipped: …`; with
//! `CI=true` they fail instead.

mod attachments;
mod cli;
mod documents;
mod hardening;
mod harness;
mod ops;
mod statements;
mod token;
