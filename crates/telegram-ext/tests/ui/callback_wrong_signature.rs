// A callback that forgot the context: the error names the signature a callback must have.
use telegram_ext::prelude::*;

async fn echo(update: Arc<Update>) -> HandlerResult {
    let _ = update;
    Ok(())
}

fn main() {
    let app = Application::builder().token("123:abc").build().unwrap();
    app.add_handler(MessageHandler::new(filters::TEXT, echo), 0);
}
