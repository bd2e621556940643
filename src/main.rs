//! The `gen` command line: parse arguments, call the library, print, set the exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use timeline_gen::watch::{self, WatchMessage, WatchOptions};
use timeline_gen::{BuildFailure, BuildOptions, BuildReport, Busy, Diagnostic, scaffold};

/// jemalloc instead of the system allocator: a build makes and frees millions of small
/// strings on every core, and glibc's malloc spent up to a third of a 100,000-event build
/// consolidating its free lists (10,000 events: 3.1 → 2.4 s of CPU).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// gen: a static timeline website generator.
#[derive(Parser)]
#[command(name = "gen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the site and write it to the output folder.
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Write the site here instead of output_dir from site.toml.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Publish at this address instead of base_url from site.toml.
        #[arg(long)]
        base_url: Option<String>,
        /// Fail at once if another build of the same output is running, instead of waiting.
        #[arg(long)]
        no_wait: bool,
    },
    /// Build, then rebuild on every change and serve the site with live reload.
    Watch {
        #[command(flatten)]
        site: SiteArgs,
        /// Write the site here instead of output_dir from site.toml.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The port to serve on (the next free one is used if it is taken).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to serve on; only loopback is safe on a shared network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Also answer requests addressed to this host name or address (repeatable; a name
        /// starting with a dot allows its subdomains too). The server answers only requests
        /// for localhost, a loopback address or the --bind address, so that no web site can
        /// read it through a DNS name of its own (DNS rebinding); with --bind 0.0.0.0 too,
        /// this machine's host names and other addresses need this option.
        #[arg(long = "allowed-host", value_name = "NAME")]
        allowed_hosts: Vec<String>,
        /// Rebuild only; do not serve.
        #[arg(long)]
        no_serve: bool,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
    },
    /// Validate content, configuration and templates; write nothing.
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Create a new event file with its front matter filled in.
    New {
        /// The event's title.
        title: String,
        /// When it happened, e.g. "2025-06-22T02:30 Asia/Tehran" (default: now, in the display zone).
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Create a new timeline site in DIR from the built-in templates.
    Init { dir: PathBuf },
}

#[derive(clap::Args)]
struct SiteArgs {
    /// The site's folder (holding site.toml).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Include events marked `draft: true`.
    #[arg(long)]
    drafts: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // anstream's reading of NO_COLOR, CLICOLOR, CLICOLOR_FORCE, TERM and the terminal.
    let color = anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
    match cli.command {
        Command::Build {
            site,
            output,
            base_url,
            no_wait,
        } => {
            let options = BuildOptions {
                root: site.root,
                output,
                base_url,
                drafts: site.drafts,
                busy: if no_wait { Busy::Fail } else { WAIT },
            };
            finish(&options.root, timeline_gen::build(&options), "built", color)
        }
        Command::Watch {
            site,
            output,
            port,
            bind,
            allowed_hosts,
            no_serve,
            open,
        } => {
            let build = BuildOptions {
                root: site.root,
                output,
                base_url: None,
                drafts: site.drafts,
                busy: WAIT,
            };
            let root = build.root.clone();
            let options = WatchOptions {
                build,
                serve: !no_serve,
                bind,
                port,
                allowed_hosts,
                open,
            };
            match watch::watch(&options, |m| print_watch(&root, &m, color)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => fail(&root, &failure.diagnostics, color),
            }
        }
        Command::Check { site } => {
            let options = BuildOptions {
                root: site.root,
                drafts: site.drafts,
                ..BuildOptions::default()
            };
            finish(
                &options.root,
                timeline_gen::check(&options),
                "checked",
                color,
            )
        }
        Command::New { title, date, root } => {
            match scaffold::new_event(&root, &title, date.as_deref()) {
                Ok(path) => {
                    println!(
                        "created {}",
                        path.strip_prefix(&root).unwrap_or(&path).display()
                    );
                    ExitCode::SUCCESS
                }
                Err(failure) => fail(&root, &failure.diagnostics, color),
            }
        }
        Command::Init { dir } => match scaffold::init(&dir) {
            Ok(files) => {
                println!(
                    "created a new site in {} ({} files); build it with: gen build --root {}",
                    dir.display(),
                    files.len(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(d) => fail(Path::new(""), &[d], color),
        },
    }
}

/// Waiting for another build of the same output folder, said once.
const WAIT: Busy = Busy::Wait {
    notice: |message| eprintln!("{message}; waiting for it to finish"),
};

fn finish(
    root: &Path,
    result: Result<BuildReport, BuildFailure>,
    verb: &str,
    color: bool,
) -> ExitCode {
    match result {
        Ok(report) => {
            print_all(root, &report.warnings, color);
            let warnings = match report.warnings.len() {
                0 => String::new(),
                1 => ", 1 warning".to_owned(),
                n => format!(", {n} warnings"),
            };
            let target = report
                .output
                .as_ref()
                .map(|o| format!(" into {}", o.display()))
                .unwrap_or_default();
            println!(
                "{verb} {} pages ({} events, {} sources){target} in {} ms{warnings}",
                report.pages,
                report.events,
                report.sources,
                report.elapsed.as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(failure) => fail(root, &failure.diagnostics, color),
    }
}

fn fail(root: &Path, diagnostics: &[Diagnostic], color: bool) -> ExitCode {
    print_all(root, diagnostics, color);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    eprintln!(
        "failed: {errors} error{}{}; nothing was written",
        if errors == 1 { "" } else { "s" },
        if warnings > 0 {
            format!(
                ", {warnings} warning{}",
                if warnings == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    );
    ExitCode::FAILURE
}

fn print_watch(root: &Path, message: &WatchMessage<'_>, color: bool) {
    match message {
        WatchMessage::Built(report) => {
            print_all(root, &report.warnings, color);
            println!(
                "built {} pages ({} events, {} sources) in {} ms; watching for changes (Ctrl-C stops)",
                report.pages,
                report.events,
                report.sources,
                report.elapsed.as_millis()
            );
        }
        WatchMessage::Serving(url) => println!("serving {url}"),
        WatchMessage::Rebuilt { cause, report } => {
            print_all(root, &report.warnings, color);
            println!(
                "{cause}: {} written, {} removed ({} rendered) in {} ms (pages in {} ms)",
                report.written.len(),
                report.removed.len(),
                report.rendered,
                report.elapsed.as_millis(),
                report.pages_elapsed.as_millis()
            );
        }
        WatchMessage::Failed(diagnostics) => {
            print_all(root, diagnostics, color);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "build failed: {errors} error{}; still serving the last good site",
                if errors == 1 { "" } else { "s" }
            );
        }
        WatchMessage::Note(text) => eprintln!("{text}"),
    }
}

fn print_all(root: &Path, diagnostics: &[Diagnostic], color: bool) {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for d in diagnostics {
        let shown = d.render(&root, color);
        // Plain text goes out byte for byte; colour goes through anstream, which translates it
        // for a Windows console that takes no escape codes.
        if color {
            anstream::eprintln!("{shown}");
        } else {
            eprintln!("{shown}");
        }
    }
}
