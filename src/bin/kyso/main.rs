//! The `kyso` command-line tool.
fn main() {}
