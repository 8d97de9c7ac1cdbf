//! The `hearth` command: check, play, compile, translate and scaffold modules.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod check;
mod new;
mod play;

#[derive(Parser)]
#[command(
    name = "hearth",
    version,
    about = "Interactive case scenarios and quizzes for foster-care training"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check modules: every problem at once, with file:line:column. Exit 0 clean, 1 problems, 2 usage.
    Check {
        /// Module folders (or their module.yaml).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Print the compiled module (one JSON document with all languages) that the player loads.
    Compile {
        /// One module, or several with `--out-dir`.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write to this file instead of standard output.
        #[arg(long, short, conflicts_with = "out_dir")]
        out: Option<PathBuf>,
        /// Write `<module id>.json` for each module, its media, and a catalogue `index.json`.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
    /// Write or refresh `<lang>.yaml` beside the module, keeping existing translations.
    Translate {
        path: PathBuf,
        #[arg(long)]
        lang: String,
        /// Mark every translated unit as up to date with the current source text.
        #[arg(long)]
        stamp: bool,
    },
    /// Walk a module in the terminal through the engine (type `?` for help).
    Play {
        path: PathBuf,
        /// The language to play in (default: the module's source language).
        #[arg(long)]
        lang: Option<String>,
        /// Seed for question draws and shuffles.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Play a path to every ending (found by exploring the module) and print each outcome.
        #[arg(long)]
        endings: bool,
        /// Print the learning events as they happen.
        #[arg(long)]
        events: bool,
        /// With `--endings`: print the walks (actions and events) as JSON.
        #[arg(long, requires = "endings")]
        json: bool,
    },
    /// The Hearth LRS: a learning record store (SQLite by default, PostgreSQL with --database).
    Lrs(lrs::Args),
    /// Create a new module folder with a small, valid module to start from.
    New {
        /// The folder to create; its name becomes the module id.
        name: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { paths, format, color } => {
            let color = match color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            check::check(&paths, matches!(format, Format::Json), color)
        }
        Command::Compile { paths, out, out_dir } => match out_dir {
            Some(dir) => check::compile_all(&paths, &dir),
            None if paths.len() == 1 => check::compile(&paths[0], out.as_deref()),
            None => Err(anyhow::anyhow!("several modules need `--out-dir`")),
        },
        Command::Translate { path, lang, stamp } => check::translate(&path, &lang, stamp),
        Command::New { name } => new::scaffold(&name),
        Command::Lrs(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(lrs::run(args)))
            .map(|()| ExitCode::SUCCESS),
        Command::Play { path, lang, seed, endings, events, json } => {
            play::play(&path, play::Options { lang: lang.as_deref(), seed, endings, events, json })
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("hearth: {err:#}");
            ExitCode::from(2)
        }
    }
}
