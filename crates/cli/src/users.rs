//! `tandem user`: accounts from the server's host, above all the first admin of an empty database.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use tandem_domain::{Actor, PageRequest, Password, Store, UserFields, UserInput, Username};

use crate::config::FileConfig;
use crate::plan::explain;
use crate::{DatabaseArgs, database_url, storage};

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user (asks for the password twice; --password-stdin reads one line instead).
    Add(AddArgs),
    /// List users.
    List(DatabaseArgs),
    /// Set a user's password (ends their sessions).
    Password(PasswordArgs),
}

#[derive(Debug, Args)]
struct AddArgs {
    /// Login name: 3-64 characters of a-z, 0-9, '.', '_', '-'.
    username: String,
    /// Display name [default: the username].
    #[arg(long)]
    name: Option<String>,
    /// Make the user an organisation admin (every permission; manages users).
    #[arg(long)]
    admin: bool,
    /// Read the password from the first line of standard input (for scripts).
    #[arg(long)]
    password_stdin: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

#[derive(Debug, Args)]
struct PasswordArgs {
    username: String,
    #[arg(long)]
    password_stdin: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub async fn run(args: UserArgs, file: &FileConfig) -> anyhow::Result<()> {
    let actor = Actor::system("command line");
    match args.command {
        UserCommand::Add(add) => {
            let fields = UserFields::parse(UserInput {
                username: add.username.clone(),
                display_name: add.name.clone().unwrap_or_else(|| add.username.clone()),
                is_admin: add.admin,
                disabled: false,
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let password = read_password(add.password_stdin)?;
            let url = database_url(&add.database, file);
            let store = storage::open_store(&url).await?;
            let hash = hash(password).await?;
            let user = store.create_user(&actor, fields, hash).await.map_err(explain)?;
            let role = if user.fields.is_admin { "organisation admin" } else { "user" };
            println!("Created {role} {} ({}).", user.fields.username, user.id);
            if !user.fields.is_admin {
                println!("They see nothing until an owner or an admin gives them a role on a program or product.");
            }
        }
        UserCommand::List(database) => {
            let store = storage::open_store(&database_url(&database, file)).await?;
            list(store.as_ref()).await?;
        }
        UserCommand::Password(change) => {
            let username =
                Username::parse("username", &change.username).map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let password = read_password(change.password_stdin)?;
            let store = storage::open_store(&database_url(&change.database, file)).await?;
            let Some((user, _)) = store.find_credentials(&username).await? else {
                bail!("no user named {username}");
            };
            let hash = hash(password).await?;
            store.set_password(&actor, user.id, hash).await?;
            println!("Password of {username} changed; their sessions have ended.");
        }
    }
    Ok(())
}

async fn list(store: &dyn Store) -> anyhow::Result<()> {
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let found = store.list_users(&page).await?;
        for user in &found.items {
            let mut flags = Vec::new();
            if user.fields.is_admin {
                flags.push("admin");
            }
            if user.fields.disabled {
                flags.push("disabled");
            }
            println!("{:<24} {:<32} {}", user.fields.username, user.fields.display_name, flags.join(", "));
        }
        match found.next_cursor {
            Some(cursor) => page.after = Some(cursor),
            None => return Ok(()),
        }
    }
}

async fn hash(password: Password) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || password.hash()).await.context("password hashing stopped")?.map_err(Into::into)
}

fn read_password(from_stdin: bool) -> anyhow::Result<Password> {
    let raw = if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
        let second = rpassword::prompt_password("Again: ").context("cannot read the password")?;
        if first != second {
            bail!("the two passwords differ");
        }
        first
    };
    let _ = std::io::stderr().flush();
    Password::parse("password", &raw).map_err(|e| anyhow::anyhow!("password {}", e.message))
}
