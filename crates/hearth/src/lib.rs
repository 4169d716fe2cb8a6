//! The command line's shared half: the demo data, the synthetic data set
//! generator and the importer, used by the `hearth` binary and by the
//! benchmarks in `hearth-bench`. They reach records only through the gate.

pub mod demo;
pub mod generate;
pub mod import_cmd;
