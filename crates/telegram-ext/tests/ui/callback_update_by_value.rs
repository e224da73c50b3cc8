// A callback that takes the update by value instead of `Arc<Update>`.
use telegram_ext::prelude::*;

async fn echo(update: Update, ctx: Context) -> HandlerResult {
    let _ = (update, ctx);
    Ok(())
}

fn main() {
    let app = Application::builder().token("123:abc").build().unwrap();
    app.add_handler(CommandHandler::new("echo", echo).unwrap(), 0);
}
