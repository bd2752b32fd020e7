mod bench;
mod schedule;

fn main() {}
