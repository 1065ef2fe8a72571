//! The `cognate` command.

fn main() {
    println!("cognate {}", env!("CARGO_PKG_VERSION"));
}
