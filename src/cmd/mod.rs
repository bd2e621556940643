//! The pieces of the `gen` command line: its arguments and what it prints.

pub mod args;
pub mod print;
