//! The echo bot. Until `telegram-ext` lands there is no bot to run yet.

fn main() {
    eprintln!("no bot yet: the echo bot arrives with telegram-ext");
}
