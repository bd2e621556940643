//! The `gen` command line: parse arguments, call the library, print, set the exit code.

mod cmd;

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use timeline_gen::{BuildOptions, Busy, scaffold, watch};

use cmd::args::{Cli, Command, WAIT};
use cmd::print::{color, fail, finish, print_watch};

/// jemalloc instead of the system allocator: a build makes and frees millions of small
/// strings on every core, and glibc's malloc spent up to a third of a 100,000-event build
/// consolidating its free lists (10,000 events: 3.1 → 2.4 s of CPU).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let color = color();
    match Cli::parse().command {
        Command::Build {
            site,
            output,
            base_url,
            no_wait,
        } => {
            let busy = if no_wait { Busy::Fail } else { WAIT };
            let options = BuildOptions {
                base_url,
                ..site.options(output, busy)
            };
            finish(&options.root, timeline_gen::build(&options), "built", color)
        }
        Command::Watch(args) => {
            let root = args.site.root.clone();
            match watch::watch(&args.options(), |m| print_watch(&root, &m, color)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => fail(&root, &failure.diagnostics, color),
            }
        }
        Command::Check { site } => {
            let options = site.options(None, Busy::default());
            let result = timeline_gen::check(&options);
            finish(&options.root, result, "checked", color)
        }
        Command::New { title, date, root } => {
            match scaffold::new_event(&root, &title, date.as_deref()) {
                Ok(path) => {
                    let shown = path.strip_prefix(&root).unwrap_or(&path);
                    println!("created {}", shown.display());
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
