//! The binary's integration tests: they run the real `hearth` executable.
//! One test binary on purpose, so the stack is linked once, not six times.

mod audit;
mod backup;
mod cli;
mod crash;
mod import;
mod plans;
mod search_keys;
mod tls;
