//! Conversations end to end against the fake Bot API: the flow, fallbacks, re-entry on and
//! off, every key kind (two users in one group, per message, per topic), nested conversations,
//! `block(false)` waiting, and the setups `build` rejects.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use telegram_ext::conversation::{
    ConversationBuilder, ConversationError, ConversationHandler, ConversationKey, IntoStep, Next,
    StepResult,
};
use telegram_ext::prelude::*;
use telegram_test::TestBot;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Ask {
    Name,
    Age,
}

fn text(ctx: &Context) -> String {
    ctx.message()
        .ok()
        .and_then(|m| m.text.clone())
        .unwrap_or_default()
}

async fn start(_: Arc<Update>, ctx: Context) -> StepResult<Ask> {
    ctx.reply("name?")?.await?;
    Ok(Next::To(Ask::Name))
}

async fn name(_: Arc<Update>, ctx: Context) -> StepResult<Ask> {
    ctx.reply(format!("age, {}?", text(&ctx)))?.await?;
    Ok(Next::To(Ask::Age))
}

async fn age(_: Arc<Update>, ctx: Context) -> StepResult<Ask> {
    ctx.reply(format!("done at {}", text(&ctx)))?.await?;
    Ok(Next::End)
}

async fn cancel(_: Arc<Update>, ctx: Context) -> StepResult<Ask> {
    ctx.reply("cancelled")?.await?;
    Ok(Next::End)
}

/// A plain `HandlerResult` callback in a state: it keeps the state.
async fn help(_: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.reply("still here")?.await?;
    Ok(())
}

/// The group's next handler: what an update no conversation handler wants reaches.
async fn unhandled(_: Arc<Update>, ctx: Context) -> HandlerResult {
    ctx.reply(format!("unhandled {}", text(&ctx)))?.await?;
    Ok(())
}

fn answers() -> impl filters::Filter {
    filters::TEXT & !filters::COMMAND
}

fn profile(
    configure: impl FnOnce(ConversationBuilder<Ask>) -> ConversationBuilder<Ask>,
) -> Result<ConversationHandler<Ask>, BuildError> {
    let builder = ConversationHandler::builder("profile")
        .entry_point(CommandHandler::new("start", start)?)
        .state(Ask::Name, MessageHandler::new(answers(), name))
        .state(Ask::Age, MessageHandler::new(answers(), age))
        .state(Ask::Age, CommandHandler::new("help", help)?)
        .fallback(CommandHandler::new("cancel", cancel)?);
    Ok(configure(builder).build()?)
}

/// The bot: the conversation, then (same group) a catch-all that sees what it declines.
async fn bot_with(
    conversation: ConversationHandler<Ask>,
) -> Result<TestBot, Box<dyn std::error::Error>> {
    Ok(TestBot::start(move |builder| {
        let app = builder.build()?;
        app.add_handler(conversation, 0);
        app.add_handler(MessageHandler::new(filters::TEXT, unhandled), 0);
        Ok(app)
    })
    .await?)
}

#[tokio::test]
async fn the_flow_runs_from_entry_point_to_end() -> TestResult {
    let conversation = profile(|b| b)?;
    let bot = bot_with(conversation.clone()).await?;
    let alice = bot.user("alice");
    let key = format!("{}:{}", alice.chat_id(), alice.id());

    alice.send_text("hello").await; // not an entry point: declined, the next handler answers
    assert_eq!(bot.reply_texts(&alice).await?, ["unhandled hello"]);
    alice.send_text("/start").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["name?"]);
    assert_eq!(
        conversation.state_of(bot.app(), &key).await?,
        Some(Ask::Name)
    );
    alice.send_text("Alice").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["age, Alice?"]);
    alice.send_text("/help").await; // a HandlerResult callback: stays
    assert_eq!(bot.reply_texts(&alice).await?, ["still here"]);
    assert_eq!(
        conversation.state_of(bot.app(), &key).await?,
        Some(Ask::Age)
    );
    alice.send_text("42").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["done at 42"]);
    assert_eq!(conversation.state_of(bot.app(), &key).await?, None);
    alice.send_text("42").await; // over: the conversation declines again
    assert_eq!(bot.reply_texts(&alice).await?, ["unhandled 42"]);
    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn a_fallback_ends_the_conversation_from_any_state() -> TestResult {
    let conversation = profile(|b| b)?;
    let bot = bot_with(conversation.clone()).await?;
    let alice = bot.user("alice");
    let bob = bot.user("bob");

    alice.send_text("/start").await;
    bob.send_text("/start").await;
    bob.send_text("Bob").await;
    assert_eq!(bot.reply_texts(&bob).await?, ["name?", "age, Bob?"]);
    alice.send_text("/cancel").await; // in state Name
    bob.send_text("/cancel").await; // in state Age
    assert_eq!(bot.reply_texts(&alice).await?, ["name?", "cancelled"]);
    assert_eq!(bot.reply_texts(&bob).await?, ["cancelled"]);
    alice.send_text("Alice").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["unhandled Alice"]);
    // Outside a conversation the fallback is not tried: /cancel goes to the next handler.
    alice.send_text("/cancel").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["unhandled /cancel"]);
    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn re_entry_is_refused_by_default_and_restarts_when_allowed() -> TestResult {
    for allow in [false, true] {
        let conversation = profile(|b| b.allow_reentry(allow))?;
        let bot = bot_with(conversation.clone()).await?;
        let alice = bot.user("alice");
        let key = format!("{}:{}", alice.chat_id(), alice.id());

        alice.send_text("/start").await;
        alice.send_text("Alice").await;
        assert_eq!(bot.reply_texts(&alice).await?, ["name?", "age, Alice?"]);
        alice.send_text("/start").await;
        let replies = bot.reply_texts(&alice).await?;
        if allow {
            assert_eq!(replies, ["name?"]);
            assert_eq!(
                conversation.state_of(bot.app(), &key).await?,
                Some(Ask::Name)
            );
        } else {
            // Not an answer of state Age, not a fallback: declined (the catch-all takes text).
            assert_eq!(replies, ["unhandled /start"]);
            assert_eq!(
                conversation.state_of(bot.app(), &key).await?,
                Some(Ask::Age)
            );
        }
        bot.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn two_users_in_one_group_keep_separate_states_by_default() -> TestResult {
    let conversation = profile(|b| b)?;
    let bot = bot_with(conversation.clone()).await?;
    let group = bot.group("club");
    let alice = bot.user("alice").in_chat(&group);
    let bob = bot.user("bob").in_chat(&group);

    alice.send_text("/start").await;
    alice.send_text("Alice").await;
    bob.send_text("/start").await;
    bob.send_text("Bob").await;
    alice.send_text("30").await;
    assert_eq!(
        bot.reply_texts(&group).await?,
        ["name?", "age, Alice?", "name?", "age, Bob?", "done at 30"]
    );
    let bob_key = format!("{}:{}", group.id(), bob.id());
    assert_eq!(
        conversation.state_of(bot.app(), &bob_key).await?,
        Some(Ask::Age)
    );
    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn a_per_chat_conversation_is_shared_and_a_per_user_one_follows_the_user() -> TestResult {
    // Per chat: Bob answers the question Alice's /start asked.
    let conversation = profile(|b| b.key(ConversationKey::Chat))?;
    let bot = bot_with(conversation).await?;
    let group = bot.group("club");
    let alice = bot.user("alice").in_chat(&group);
    let bob = bot.user("bob").in_chat(&group);
    alice.send_text("/start").await;
    bob.send_text("Bob").await;
    assert_eq!(bot.reply_texts(&group).await?, ["name?", "age, Bob?"]);
    bot.stop().await?;

    // Per user: Alice starts in the group and answers in private.
    let conversation = profile(|b| b.key(ConversationKey::User))?;
    let bot = bot_with(conversation).await?;
    let group = bot.group("club");
    let alice = bot.user("alice");
    alice.in_chat(&group).send_text("/start").await;
    assert_eq!(bot.reply_texts(&group).await?, ["name?"]);
    alice.send_text("Alice").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["age, Alice?"]);
    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn a_per_topic_conversation_keeps_each_forum_topic_apart() -> TestResult {
    let conversation = profile(|b| b.key(ConversationKey::Topic))?;
    let bot = bot_with(conversation).await?;
    let forum = bot.group("forum");
    let alice = bot.user("alice").in_chat(&forum);
    let bob = bot.user("bob").in_chat(&forum);

    alice.send_text_in_topic(7, "/start").await;
    bob.send_text_in_topic(9, "Bob").await; // topic 9 has no conversation
    bob.send_text_in_topic(7, "Bob").await; // topic 7's, shared by its members
    assert_eq!(
        bot.reply_texts(&forum).await?,
        ["name?", "unhandled Bob", "age, Bob?"]
    );
    bot.stop().await?;
    Ok(())
}

// ---- Per message ------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Vote {
    Chosen,
}

async fn choose(_: Arc<Update>, ctx: Context) -> StepResult<Vote> {
    ctx.answer()?.await?;
    ctx.edit_message_text("sure?")?.await?;
    Ok(Next::To(Vote::Chosen))
}

async fn confirm(_: Arc<Update>, ctx: Context) -> StepResult<Vote> {
    ctx.answer()?.await?;
    ctx.edit_message_text("confirmed")?.await?;
    Ok(Next::End)
}

async fn keyboard(_: Arc<Update>, ctx: Context) -> HandlerResult {
    let markup = InlineKeyboardMarkup::from_button(InlineKeyboardButton::callback("go", "go"));
    ctx.reply("pick")?.reply_markup(markup).await?;
    Ok(())
}

#[tokio::test]
async fn a_per_message_conversation_follows_each_keyboard_message() -> TestResult {
    let conversation = ConversationHandler::builder("vote")
        .key(ConversationKey::Message)
        .entry_point(CallbackQueryHandler::new(choose))
        .state(Vote::Chosen, CallbackQueryHandler::new(confirm))
        .build()?;
    let bot = TestBot::start(move |builder| {
        let app = builder.build()?;
        app.add_handler(conversation, 0);
        app.add_handler(CommandHandler::new("pick", keyboard)?, 0);
        Ok(app)
    })
    .await?;
    let alice = bot.user("alice");
    alice.send_text("/pick").await;
    alice.send_text("/pick").await;
    let sent = bot.replies(&alice).await?;
    let first = sent[0].result().cloned().ok_or("no message")?;
    let second = sent[1].result().cloned().ok_or("no message")?;

    alice.press_button(&first, "go").await;
    alice.press_button(&second, "go").await; // another message: its own conversation
    alice.press_button(&first, "go").await;
    bot.idle().await?;
    let edits: Vec<(i64, String)> = bot
        .server()
        .requests_for("editMessageText")
        .iter()
        .map(|r| {
            (
                r.int_param("message_id").unwrap_or(0),
                r.text().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let first_id = first["message_id"].as_i64().ok_or("no id")?;
    let second_id = second["message_id"].as_i64().ok_or("no id")?;
    assert_eq!(
        edits,
        [
            (first_id, "sure?".to_owned()),
            (second_id, "sure?".to_owned()),
            (first_id, "confirmed".to_owned())
        ]
    );
    bot.stop().await?;
    Ok(())
}

// ---- Build-time rejection ---------------------------------------------------------------

#[test]
fn setups_that_cannot_work_do_not_build() -> TestResult {
    let per_message_with_text = ConversationHandler::<Vote>::builder("vote")
        .key(ConversationKey::Message)
        .entry_point(CallbackQueryHandler::new(choose))
        .state(Vote::Chosen, MessageHandler::new(filters::TEXT, confirm))
        .build();
    assert!(matches!(
        per_message_with_text,
        Err(ConversationError::NotPerMessage { index: 0, .. })
    ));

    let empty_state = ConversationHandler::<Vote>::builder("vote")
        .entry_point(CallbackQueryHandler::new(choose))
        .state_handlers(Vote::Chosen, [])
        .build();
    assert!(matches!(
        empty_state,
        Err(ConversationError::EmptyState { .. })
    ));

    let no_entry = ConversationHandler::<Vote>::builder("vote")
        .state(Vote::Chosen, CallbackQueryHandler::new(confirm).into_step())
        .build();
    assert!(matches!(no_entry, Err(ConversationError::NoEntryPoints(_))));

    let action_without_timeout = ConversationHandler::<Vote>::builder("vote")
        .entry_point(CallbackQueryHandler::new(choose))
        .timeout_to(Next::End)
        .build();
    assert!(matches!(
        action_without_timeout,
        Err(ConversationError::TimeoutActionWithoutTimeout(_))
    ));

    let bad_name = ConversationHandler::<Vote>::builder("a:b")
        .entry_point(CallbackQueryHandler::new(choose))
        .build();
    assert!(matches!(bad_name, Err(ConversationError::BadName(_))));
    Ok(())
}

// ---- Nested conversations ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Menu {
    Choosing,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Member {
    Naming,
    /// Mapped to the parent's end.
    Stopping,
}

async fn menu(_: Arc<Update>, ctx: Context) -> StepResult<Menu> {
    ctx.reply("menu")?.await?;
    Ok(Next::To(Menu::Choosing))
}

async fn show(_: Arc<Update>, ctx: Context) -> StepResult<Menu> {
    ctx.reply("added, showing")?.await?;
    Ok(Next::To(Menu::Choosing))
}

async fn add(_: Arc<Update>, ctx: Context) -> StepResult<Member> {
    ctx.reply("member name?")?.await?;
    Ok(Next::To(Member::Naming))
}

async fn member_name(_: Arc<Update>, ctx: Context) -> StepResult<Member> {
    ctx.reply(format!("added {}", text(&ctx)))?.await?;
    Ok(Next::End)
}

async fn stop_all(_: Arc<Update>, ctx: Context) -> StepResult<Member> {
    ctx.reply("stopping everything")?.await?;
    Ok(Next::To(Member::Stopping))
}

fn nested() -> Result<(ConversationHandler<Menu>, ConversationHandler<Member>), BuildError> {
    let child = ConversationHandler::builder("member")
        .entry_point(CommandHandler::new("add", add)?)
        .state(Member::Naming, MessageHandler::new(answers(), member_name))
        .fallback(CommandHandler::new("stop", stop_all)?)
        .build()?;
    let in_parent = child
        .clone()
        .map_to_parent(|next: &Next<Member>| match next {
            Next::End => Some(Next::To(Menu::Added)),
            Next::To(Member::Stopping) => Some(Next::End),
            _ => None,
        });
    let parent = ConversationHandler::builder("menu")
        .entry_point(CommandHandler::new("start", menu)?)
        .state(Menu::Choosing, in_parent)
        .state(Menu::Added, CommandHandler::new("show", show)?)
        .build()?;
    Ok((parent, child))
}

#[tokio::test]
async fn a_nested_conversation_moves_its_parent_when_it_ends() -> TestResult {
    let (parent, child) = nested()?;
    let bot = TestBot::start({
        let parent = parent.clone();
        move |builder| {
            let app = builder.build()?;
            app.add_handler(parent, 0);
            app.add_handler(MessageHandler::new(filters::TEXT, unhandled), 0);
            Ok(app)
        }
    })
    .await?;
    let alice = bot.user("alice");
    let key = format!("{}:{}", alice.chat_id(), alice.id());

    alice.send_text("/add").await; // the child is reachable only inside the parent
    assert_eq!(bot.reply_texts(&alice).await?, ["unhandled /add"]);
    alice.send_text("/start").await;
    alice.send_text("/add").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["menu", "member name?"]);
    assert_eq!(
        parent.state_of(bot.app(), &key).await?,
        Some(Menu::Choosing)
    );
    assert_eq!(child.state_of(bot.app(), &key).await?, Some(Member::Naming));

    // The child ends: map_to_parent's END moves the parent to Added.
    alice.send_text("Bob").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["added Bob"]);
    assert_eq!(child.state_of(bot.app(), &key).await?, None);
    assert_eq!(parent.state_of(bot.app(), &key).await?, Some(Menu::Added));
    alice.send_text("/show").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["added, showing"]);
    bot.stop().await?;
    Ok(())
}

#[tokio::test]
async fn a_state_the_child_maps_to_end_ends_both_conversations() -> TestResult {
    let (parent, child) = nested()?;
    let bot = TestBot::start({
        let parent = parent.clone();
        move |builder| {
            let app = builder.build()?;
            app.add_handler(parent, 0);
            app.add_handler(MessageHandler::new(filters::TEXT, unhandled), 0);
            Ok(app)
        }
    })
    .await?;
    let alice = bot.user("alice");
    let key = format!("{}:{}", alice.chat_id(), alice.id());

    alice.send_text("/start").await;
    alice.send_text("/add").await;
    alice.send_text("/show").await; // neither the child's state nor the parent's: declined
    assert_eq!(
        bot.reply_texts(&alice).await?,
        ["menu", "member name?", "unhandled /show"]
    );
    alice.send_text("/stop").await; // the child's fallback → Stopping → the parent's END
    assert_eq!(bot.reply_texts(&alice).await?, ["stopping everything"]);
    assert_eq!(child.state_of(bot.app(), &key).await?, None);
    assert_eq!(parent.state_of(bot.app(), &key).await?, None);
    alice.send_text("Bob").await;
    assert_eq!(bot.reply_texts(&alice).await?, ["unhandled Bob"]);
    bot.stop().await?;
    Ok(())
}
