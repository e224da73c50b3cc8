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
}
