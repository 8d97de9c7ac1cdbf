//! The `hearth` command: check, play, compile, translate and scaffold modules.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod build;
mod check;
mod new;
mod play;
mod serve;

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
    /// Package modules for LMSs: SCORM 1.2, SCORM 2004, cmi5, xAPI (tincan.xml) or a plain embed.
    #[command(after_help = "\
Writes <out>/<module id>-<format>.zip for each module and format. The module is checked first; a
module with errors is refused with its diagnostics, and nothing is written. The same input gives a
byte-identical zip. No package carries an LRS secret. Details: docs/packaging.md and docs/moodle.md.")]
    Build {
        /// Module folders (or their module.yaml).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// scorm12, scorm2004, cmi5, xapi, html, a comma-separated list, or all.
        #[arg(long, value_parser = build::parse_formats, default_value = "all")]
        format: build::Formats,
        /// The folder the zips are written to.
        #[arg(long, default_value = "packages")]
        out: PathBuf,
        /// The player builds (`player/` and `player-lms/` inside), as `cargo xtask player` writes them.
        #[arg(long, default_value = "dist")]
        player: PathBuf,
        /// Activity ids are this followed by the module id; use a URL your organisation controls.
        #[arg(long, default_value = packaging::DEFAULT_IRI_BASE)]
        iri_base: String,
        /// SCORM packages also send xAPI statements to this Hearth LRS endpoint
        /// (`https://lrs.example.org/xapi/`), with a launch token got for --lrs-key.
        #[arg(long, requires_all = ["lrs_key", "lrs_home"])]
        lrs: Option<String>,
        /// The LRS's package key for these packages (`hearth lrs credential add --scope package …`;
        /// public by design, not a secret).
        #[arg(long, requires = "lrs")]
        lrs_key: Option<String>,
        /// The LMS's address, the learners' `account.homePage` (the package key's --home-page).
        #[arg(long, requires = "lrs")]
        lrs_home: Option<String>,
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
    /// The demo and the author's preview: a catalogue of the modules in DIR, each launched as a cmi5
    /// AU with this server as the LMS, statements in the embedded LRS, results pages.
    #[command(after_help = "\
Module folders are rebuilt when their files change, and open pages relaunch. cmi5 zips from
`hearth build` in DIR are launched as they are. The LRS is at /xapi/ on the same address (SQLite in
the data folder); the catalogue prints a curl line with its credential.")]
    Serve {
        /// Folder of modules (folders with a module.yaml) and cmi5 zips.
        #[arg(default_value = "examples")]
        dir: PathBuf,
        /// Address to listen on (loopback by default: the results pages have no login).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Where the embedded LRS keeps its database and this server its credential.
        #[arg(long, default_value = "hearth-data")]
        data: PathBuf,
        /// The player builds, as for `hearth build`.
        #[arg(long, default_value = "dist")]
        player: PathBuf,
        /// Activity-id prefix, as for `hearth build`.
        #[arg(long, default_value = packaging::DEFAULT_IRI_BASE)]
        iri_base: String,
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

fn block_on(f: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(f).map(|()| ExitCode::SUCCESS)
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
        Command::Build { paths, format, out, player, iri_base, lrs, lrs_key, lrs_home } => {
            let lrs = lrs.map(|endpoint| packaging::PackageLrs {
                endpoint,
                key: lrs_key.unwrap_or_default(),
                home_page: lrs_home.unwrap_or_default(),
            });
            let options = packaging::Options { player, iri_base, lrs };
            build::build(&paths, &format.0, &out, &options)
        }
        Command::Translate { path, lang, stamp } => check::translate(&path, &lang, stamp),
        Command::New { name } => new::scaffold(&name),
        Command::Lrs(args) => block_on(lrs::run(args)),
        Command::Serve { dir, listen, data, player, iri_base } => {
            let options = packaging::Options { player, iri_base, lrs: None };
            block_on(serve::run(serve::Config { dir, listen, data, options }))
        }
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
