// `state(..)` after a lifecycle hook would drop the hook (its type names the old state): a
// compile error that says to call `state` first.
use telegram_ext::prelude::*;

fn main() {
    let _ = Application::builder()
        .token("123:abc")
        .post_init(|_app| async { Ok(()) })
        .state(42_u32)
        .build();
}
