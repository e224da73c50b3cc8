//! python-telegram-bot's `nestedconversationbot.py`, ported: a family bot with three levels of
//! conversation. The top level picks an action (add a family member, add yourself, show the
//! data, done); the second picks parent or child and the gender; the third collects a name and
//! an age. `/stop` ends everything from any level. PTB's `map_to_parent` dictionaries are
//! closures over typed states; the gathered data is a typed user slot in the store instead of
//! `user_data`.
//!
//! `cargo run -p examples --example nestedconversationbot` — with `TELEGRAM_BOT_TOKEN` set it
//! polls Telegram; without, it runs offline against the fake Bot API with simulated users.

#[path = "support/ports.rs"]
mod support;

use serde::{Deserialize, Serialize};
use telegram_ext::conversation::{ConversationHandler, Next, StepResult};
use telegram_ext::data::UserSlot;
use telegram_ext::prelude::*;

/// The top level's states.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum Top {
    SelectingAction,
    SelectingLevel,
    DescribingSelf,
    Showing,
    Stopping,
}

/// The second level's (adding a family member).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum Member {
    SelectingLevel,
    SelectingGender,
    Showing,
    Stopping,
}

/// The third level's (describing a person).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum Describe {
    SelectingFeature,
    Typing,
    Stopping,
}

/// A person's features by name (`gender`, `name`, `age`), as PTB's dictionary.
type Person = std::collections::BTreeMap<String, String>;

/// PTB's `user_data`, typed.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Family {
    people: Vec<(String, Person)>,
    start_over: bool,
    features: Person,
    current_feature: String,
    current_level: String,
}

const FAMILY: UserSlot<Family> = UserSlot::new("family");
const LEVELS: [(&str, &str); 3] = [
    ("Yourself", "self"),
    ("Parents", "parents"),
    ("Children", "children"),
];

fn buttons<const N: usize>(rows: &[[(&str, &str); N]]) -> InlineKeyboardMarkup {
    let button = |&(text, data): &(&str, &str)| InlineKeyboardButton::callback(text, data);
    InlineKeyboardMarkup::from_rows(rows.iter().map(|row| row.iter().map(button)))
}

/// A handler of the buttons whose data is one of `data`.
fn press<C>(callback: C, data: &'static [&'static str]) -> CallbackQueryHandler<C> {
    CallbackQueryHandler::new(callback).pattern(Pattern::func(move |d| data.contains(&d)))
}

fn name_switcher(level: &str) -> (&'static str, &'static str) {
    if level == "parents" {
        ("Father", "Mother")
    } else {
        ("Brother", "Sister")
    }
}

/// Answers the button press and edits its message (an empty keyboard removes the buttons).
async fn edit(ctx: &Context, text: &str, keyboard: InlineKeyboardMarkup) -> HandlerResult {
    ctx.answer()?.await?;
    ctx.edit_message_text(text)?.reply_markup(keyboard).await?;
    Ok(())
}

/// Takes the "starting over" flag (PTB's `START_OVER`), leaving it unset.
fn take_start_over(family: &mut Family) -> bool {
    std::mem::take(&mut family.start_over)
}

async fn start(_update: Arc<Update>, ctx: Context) -> StepResult<Top> {
    let text = "You may choose to add a family member, yourself, show the gathered data, or end \
        the conversation. To abort, simply type /stop.";
    let keyboard = buttons(&[
        [
            ("Add family member", "adding_member"),
            ("Add yourself", "adding_self"),
        ],
        [("Show data", "showing"), ("Done", "end")],
    ]);
    if ctx.update(&FAMILY, take_start_over).await? {
        edit(&ctx, text, keyboard).await?;
    } else {
        let greeting =
            "Hi, I'm Family Bot and I'm here to help you gather information about your family.";
        ctx.reply(greeting)?.await?;
        ctx.reply(text)?.reply_markup(keyboard).await?;
    }
    Ok(Next::To(Top::SelectingAction))
}

async fn adding_self(_update: Arc<Update>, ctx: Context) -> StepResult<Top> {
    ctx.update(&FAMILY, |f| f.current_level = "self".to_owned())
        .await?;
    let keyboard = buttons(&[[("Add info", "male")]]);
    edit(&ctx, "Okay, please tell me about yourself.", keyboard).await?;
    Ok(Next::To(Top::DescribingSelf))
}

async fn show_data<St>(ctx: Context, showing: St) -> StepResult<St> {
    ctx.update(&FAMILY, |f| f.start_over = true).await?;
    let family = ctx.read(&FAMILY).await?.unwrap_or_default();
    let mut text = String::new();
    for (title, level) in LEVELS {
        text.push_str(&format!("{title}:"));
        let mut people = family.people.iter().filter(|(l, _)| l == level).peekable();
        if people.peek().is_none() {
            text.push_str("\nNo information yet.");
        }
        for (_, person) in people {
            let (male, female) = name_switcher(level);
            let who = match level {
                "self" => String::new(),
                _ if person["gender"] == "female" => format!("{female}: "),
                _ => format!("{male}: "),
            };
            let name = person.get("name").map_or("-", String::as_str);
            let age = person.get("age").map_or("-", String::as_str);
            text.push_str(&format!("\n{who}Name: {name}, Age: {age}"));
        }
        text.push_str("\n\n");
    }
    edit(&ctx, text.trim_end(), buttons(&[[("Back", "end")]])).await?;
    Ok(Next::To(showing))
}

async fn show_top(_update: Arc<Update>, ctx: Context) -> StepResult<Top> {
    show_data(ctx, Top::Showing).await
}

async fn show_member(_update: Arc<Update>, ctx: Context) -> StepResult<Member> {
    show_data(ctx, Member::Showing).await
}

async fn stop(_update: Arc<Update>, ctx: Context) -> StepResult<Top> {
    ctx.reply("Okay, bye.")?.await?;
    Ok(Next::End)
}

async fn end(_update: Arc<Update>, ctx: Context) -> StepResult<Top> {
    edit(&ctx, "See you around!", buttons::<0>(&[])).await?;
    Ok(Next::End)
}

async fn select_level(_update: Arc<Update>, ctx: Context) -> StepResult<Member> {
    let text = "You may add a parent or a child. Also you can show the gathered data or go back.";
    let keyboard = buttons(&[
        [("Add parent", "parents"), ("Add child", "children")],
        [("Show data", "showing"), ("Back", "end")],
    ]);
    edit(&ctx, text, keyboard).await?;
    Ok(Next::To(Member::SelectingLevel))
}

async fn select_gender(_update: Arc<Update>, ctx: Context) -> StepResult<Member> {
    let level = ctx.callback_query()?.data.clone().unwrap_or_default();
    let (male, female) = name_switcher(&level);
    ctx.update(&FAMILY, |f| f.current_level = level.clone())
        .await?;
    let (male, female) = (format!("Add {male}"), format!("Add {female}"));
    let keyboard = buttons(&[
        [(male.as_str(), "male"), (female.as_str(), "female")],
        [("Show data", "showing"), ("Back", "end")],
    ]);
    edit(&ctx, "Please choose, whom to add.", keyboard).await?;
    Ok(Next::To(Member::SelectingGender))
}

async fn end_second_level(update: Arc<Update>, ctx: Context) -> StepResult<Member> {
    ctx.update(&FAMILY, |f| f.start_over = true).await?;
    start(update, ctx).await?;
    Ok(Next::End)
}

async fn select_feature(_update: Arc<Update>, ctx: Context) -> StepResult<Describe> {
    let keyboard = buttons(&[[("Name", "name"), ("Age", "age"), ("Done", "end")]]);
    if ctx.update(&FAMILY, take_start_over).await? {
        let text = "Got it! Please select a feature to update.";
        ctx.reply(text)?.reply_markup(keyboard).await?;
    } else {
        let gender = ctx.callback_query()?.data.clone().unwrap_or_default();
        let person = Person::from([("gender".to_owned(), gender)]);
        ctx.update(&FAMILY, |f| f.features = person.clone()).await?;
        edit(&ctx, "Please select a feature to update.", keyboard).await?;
    }
    Ok(Next::To(Describe::SelectingFeature))
}

async fn ask_for_input(_update: Arc<Update>, ctx: Context) -> StepResult<Describe> {
    let feature = ctx.callback_query()?.data.clone().unwrap_or_default();
    ctx.update(&FAMILY, |f| f.current_feature = feature.clone())
        .await?;
    edit(&ctx, "Okay, tell me.", buttons::<0>(&[])).await?;
    Ok(Next::To(Describe::Typing))
}

async fn save_input(update: Arc<Update>, ctx: Context) -> StepResult<Describe> {
    let text = ctx.message()?.text.clone().unwrap_or_default();
    ctx.update(&FAMILY, |f| {
        f.features.insert(f.current_feature.clone(), text.clone());
        f.start_over = true;
    })
    .await?;
    select_feature(update, ctx).await
}

async fn end_describing(update: Arc<Update>, ctx: Context) -> StepResult<Describe> {
    let level = ctx
        .update(&FAMILY, |f| {
            let person = std::mem::take(&mut f.features);
            f.people.push((f.current_level.clone(), person));
            f.start_over = f.current_level == "self";
            f.current_level.clone()
        })
        .await?;
    if level == "self" {
        start(update, ctx).await?;
    } else {
        select_level(update, ctx).await?;
    }
    Ok(Next::End)
}

async fn stop_nested(_update: Arc<Update>, ctx: Context) -> StepResult<Describe> {
    ctx.reply("Okay, bye.")?.await?;
    Ok(Next::To(Describe::Stopping))
}

async fn stop_member(_update: Arc<Update>, ctx: Context) -> StepResult<Member> {
    ctx.reply("Okay, bye.")?.await?;
    Ok(Next::To(Member::Stopping))
}

pub(crate) fn app(builder: ApplicationBuilder<()>) -> Result<Application, BuildError> {
    // Third level: collecting features.
    let text = filters::TEXT & !filters::COMMAND;
    let feature = press(ask_for_input, &["name", "age"]);
    let description = ConversationHandler::builder("describe")
        .entry_point(press(select_feature, &["male", "female"]))
        .state(Describe::SelectingFeature, feature)
        .state(Describe::Typing, MessageHandler::new(text, save_input))
        .fallback(press(end_describing, &["end"]))
        .fallback(CommandHandler::new("stop", stop_nested)?)
        .build()?;
    // Second level: adding a person. Back to its menu when the third ends; stop goes up.
    let description_in_member = description.clone().map_to_parent(|next| match next {
        Next::End => Some(Next::To(Member::SelectingLevel)),
        Next::To(Describe::Stopping) => Some(Next::To(Member::Stopping)),
        _ => None,
    });
    let gender = press(select_gender, &["parents", "children"]);
    let add_member = ConversationHandler::builder("add_member")
        .entry_point(press(select_level, &["adding_member"]))
        .state(Member::SelectingLevel, gender)
        .state(Member::SelectingGender, description_in_member)
        .fallback(press(show_member, &["showing"]))
        .fallback(press(end_second_level, &["end"]))
        .fallback(CommandHandler::new("stop", stop_member)?)
        .build()?
        .map_to_parent(|next| match next {
            Next::To(Member::Showing) => Some(Next::To(Top::Showing)),
            Next::End => Some(Next::To(Top::SelectingAction)),
            Next::To(Member::Stopping) => Some(Next::End),
            _ => None,
        });
    let description_in_top = description.map_to_parent(|next| match next {
        Next::End => Some(Next::To(Top::SelectingLevel)),
        Next::To(Describe::Stopping) => Some(Next::To(Top::Stopping)),
        _ => None,
    });
    // Top level: selecting an action; the same handlers serve the second level's menu.
    let mut top = ConversationHandler::builder("top")
        .entry_point(CommandHandler::new("start", start)?)
        .state(Top::Showing, press(start, &["end"]))
        .state(Top::DescribingSelf, description_in_top)
        .state(Top::Stopping, CommandHandler::new("start", start)?)
        .fallback(CommandHandler::new("stop", stop)?);
    for state in [Top::SelectingAction, Top::SelectingLevel] {
        top = top
            .state(state.clone(), add_member.clone())
            .state(state.clone(), press(show_top, &["showing"]))
            .state(state.clone(), press(adding_self, &["adding_self"]))
            .state(state, press(end, &["end"]));
    }
    let app = builder.build()?;
    app.add_handler(top.build()?, 0);
    Ok(app)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::run(app, support::nestedconversationbot).await
}
