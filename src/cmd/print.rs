//! What the command line prints: reports on stdout, diagnostics and failures on stderr.

use std::path::Path;
use std::process::ExitCode;

use timeline_gen::watch::WatchMessage;
use timeline_gen::{BuildFailure, BuildReport, Diagnostic};

/// Whether stderr gets colour: anstream's reading of NO_COLOR, CLICOLOR, CLICOLOR_FORCE,
/// TERM and the terminal.
pub fn color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

pub fn finish(
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
            let (images, decoded, spent) = report.images;
            if images > 0 {
                println!(
                    "{images} images ({decoded} processed, {} from the cache) in {} ms",
                    images - decoded,
                    spent.as_millis()
                );
            }
            ExitCode::SUCCESS
        }
        Err(failure) => fail(root, &failure.diagnostics, color),
    }
}

pub fn fail(root: &Path, diagnostics: &[Diagnostic], color: bool) -> ExitCode {
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

pub fn print_watch(root: &Path, message: &WatchMessage<'_>, color: bool) {
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
