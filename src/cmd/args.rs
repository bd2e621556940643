//! The command line's arguments (clap), and the options they make.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use timeline_gen::watch::WatchOptions;
use timeline_gen::{BuildOptions, Busy};

/// gen: a static timeline website generator.
#[derive(Parser)]
#[command(name = "gen", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    Watch(WatchArgs),
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
pub struct SiteArgs {
    /// The site's folder (holding site.toml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include events marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

/// Waiting for another build of the same output folder, said once.
pub const WAIT: Busy = Busy::Wait {
    notice: |message| eprintln!("{message}; waiting for it to finish"),
};

impl SiteArgs {
    /// Options for a build of this site.
    pub fn options(self, output: Option<PathBuf>, busy: Busy) -> BuildOptions {
        BuildOptions {
            root: self.root,
            output,
            base_url: None,
            drafts: self.drafts,
            busy,
        }
    }
}

/// The options of `gen watch`.
#[derive(clap::Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Write the site here instead of output_dir from site.toml.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The port to serve on (the next free one is used if it is taken).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// The address to serve on; only loopback is safe on a shared network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Also answer requests addressed to this host name or address (repeatable; a name
    /// starting with a dot allows its subdomains too). The server answers only requests
    /// for localhost, a loopback address or the --bind address, so that no web site can
    /// read it through a DNS name of its own (DNS rebinding); with --bind 0.0.0.0 too,
    /// this machine's host names and other addresses need this option.
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
    /// Rebuild only; do not serve.
    #[arg(long)]
    pub no_serve: bool,
    /// Open the site in a browser.
    #[arg(long)]
    pub open: bool,
}

impl WatchArgs {
    pub fn options(self) -> WatchOptions {
        WatchOptions {
            build: self.site.options(self.output, WAIT),
            serve: !self.no_serve,
            bind: self.bind,
            port: self.port,
            allowed_hosts: self.allowed_hosts,
            open: self.open,
        }
    }
}
