//! Command-line flags. Every flag can also be given as a `STANDIN_*` environment variable.

use crate::products::{self, PRODUCTS};
use clap::{Arg, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::net::IpAddr;
use std::path::PathBuf;

/// standin: fast, faithful stand-ins for the OpManager, ServiceOps, Password Manager Pro and
/// Ops Manager REST APIs.
#[derive(Debug, Parser)]
#[command(
    name = "standin",
    version,
    about,
    args_conflicts_with_subcommands = true,
    args_override_self = true
)]
pub struct Cli {
    /// Run a subcommand instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Serving options.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The command with the help of `--only` and `--tls` listing the products of the table.
    pub fn command_with_products() -> clap::Command {
        let names: Vec<&str> = PRODUCTS.iter().map(|e| e.name).collect();
        let https: Vec<&str> = PRODUCTS
            .iter()
            .filter(|e| e.default_tls)
            .map(|e| e.name)
            .collect();
        Cli::command()
            .mut_arg("only", |a| {
                a.help(format!(
                    "Serve only these products (comma-separated: {})",
                    names.join(",")
                ))
            })
            .mut_arg("tls", |a| {
                a.help(format!(
                    "Serve these products over HTTPS too ({} always do unless --no-tls)",
                    https.join(", ")
                ))
            })
    }

    /// Parse `args` (the first is the program name).
    ///
    /// # Errors
    /// clap's error for bad flags, `--help` and `--version`.
    pub fn try_parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut matches = Cli::command_with_products().try_get_matches_from(args)?;
        Cli::from_arg_matches_mut(&mut matches)
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Exit 0 if every product answers `/_standin/health`, else 1 (for container images
    /// without curl).
    Healthcheck(HealthcheckArgs),
}

/// `standin healthcheck` flags.
#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// A product base URL to check (repeatable).
    #[arg(long, env = "STANDIN_HEALTHCHECK_URL", value_delimiter = ',')]
    pub url: Option<Vec<String>>,
    /// Check every product listed in this ready file.
    #[arg(long, env = "STANDIN_READY_FILE")]
    pub ready_file: Option<PathBuf>,
    /// The control token, if standin runs with one.
    #[arg(long, env = "STANDIN_CONTROL_TOKEN", hide_env_values = true)]
    pub control_token: Option<String>,
    /// How long to wait for each product.
    #[arg(long, default_value_t = 2000, env = "STANDIN_HEALTHCHECK_TIMEOUT_MS")]
    pub timeout_ms: u64,
}

/// Flags for serving.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Serve only these products (the help lists them, from the product table).
    #[arg(long, env = "STANDIN_ONLY", value_delimiter = ',')]
    pub only: Option<Vec<String>>,
    /// One `--port-<product>` flag per product of the table.
    #[command(flatten)]
    pub ports: Ports,
    /// Address to listen on (0.0.0.0 or :: for every interface).
    #[arg(long, env = "STANDIN_BIND", default_value_t = auth_core::CommonOptions::default().bind)]
    pub bind: IpAddr,
    /// Keep state in SQLite files here (one per product) instead of in memory.
    #[arg(long, env = "STANDIN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Load `<product>.json` fixtures from this directory instead of the built-in ones (any
    /// other file in it is refused; names starting with a dot are ignored).
    #[arg(long, env = "STANDIN_FIXTURES")]
    pub fixtures: Option<PathBuf>,
    /// Make every generated key, token, id and nonce reproducible.
    #[arg(long, env = "STANDIN_SEED")]
    pub seed: Option<u64>,
    /// Write `{"product":"url",...}` here once every listener is bound (removed on a clean stop).
    #[arg(long, env = "STANDIN_READY_FILE")]
    pub ready_file: Option<PathBuf>,
    /// Serve these products over HTTPS too (the help lists which are HTTPS by default).
    #[arg(long, env = "STANDIN_TLS", value_delimiter = ',')]
    pub tls: Option<Vec<String>>,
    /// Plain HTTP everywhere, PMP included.
    #[arg(long, env = "STANDIN_NO_TLS", conflicts_with = "tls")]
    pub no_tls: bool,
    /// PEM certificate chain to serve instead of a generated one.
    #[arg(long, env = "STANDIN_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "STANDIN_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Write the served certificate (PEM) here, for clients to trust.
    #[arg(long, env = "STANDIN_TLS_CERT_OUT")]
    pub tls_cert_out: Option<PathBuf>,
    /// Let non-local callers use /_standin/ with `Authorization: Bearer <token>`.
    #[arg(long, env = "STANDIN_CONTROL_TOKEN", hide_env_values = true)]
    pub control_token: Option<String>,
    /// Let callers from this network use /_standin/ without a token (repeatable; the
    /// variable takes a comma-separated list; a bare address means just it).
    #[arg(long, env = "STANDIN_CONTROL_ALLOW", value_delimiter = ',', value_parser = parse_network)]
    pub control_allow: Vec<ipnet::IpNet>,
    /// Add the refusal reason as an X-Standin-Reason response header.
    #[arg(long, env = "STANDIN_EXPLAIN")]
    pub explain: bool,
    /// Answer browser CORS preflights and add CORS headers on every port, tenants included
    /// (off by default, as the vendors' servers are).
    #[arg(long, env = "STANDIN_CORS")]
    pub cors: bool,
    /// Request journal entries kept per instance.
    #[arg(long, env = "STANDIN_JOURNAL_SIZE", default_value_t = auth_core::journal::DEFAULT_CAPACITY)]
    pub journal_size: usize,
    /// Bytes the request journal of one instance may hold (a number, or with a `K`/`KiB`,
    /// `M`/`MiB` suffix); the oldest entries make room. 0 keeps none.
    #[arg(long, env = "STANDIN_JOURNAL_BYTES", value_parser = parse_bytes,
        default_value_t = auth_core::journal::DEFAULT_BYTES)]
    pub journal_bytes: usize,
    /// HTTP worker threads per product (default: the cores shared among the products served,
    /// at least one).
    #[arg(long, env = "STANDIN_WORKERS", value_parser = parse_workers)]
    pub workers: Option<usize>,
    /// Log filter: a level (error, warn, info, debug, trace) or tracing directives such as
    /// `standin::request=info`. Without it `RUST_LOG` is honoured, else `warn`.
    #[arg(long, env = "STANDIN_LOG")]
    pub log_level: Option<String>,
    /// Log one line per request (product, method, path, status, latency, operation,
    /// principal and refusal reason; secrets redacted as in the journal) on stderr.
    #[arg(long, short = 'v', env = "STANDIN_VERBOSE")]
    pub verbose: bool,
    /// Each product's own flags.
    #[command(flatten)]
    pub settings: products::Settings,
}

/// A worker count: 1 or more.
fn parse_workers(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("0 workers would serve nothing: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{text:?} is not a number of threads")),
    }
}

/// `4194304`, `4096K`, `4 MiB`: a size in bytes (suffixes are powers of 1024).
fn parse_bytes(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "{text:?}: give bytes, or a number with K, M or G (KiB, MiB, GiB)"
            ))
        }
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size in bytes"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// `10.0.0.0/8`, `fd00::/8`, or a bare address (a /32 or /128).
fn parse_network(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    if let Ok(net) = text.parse::<ipnet::IpNet>() {
        return Ok(net.trunc());
    }
    match text.parse::<IpAddr>() {
        Ok(ip) => Ok(ipnet::IpNet::from(ip)),
        Err(_) => Err(format!(
            "{text:?} is not a network (CIDR such as 10.0.0.0/8) or an address"
        )),
    }
}

/// The port flags, one per row of the product table (`--port-<name>`, `STANDIN_PORT_<NAME>`).
#[derive(Debug, Clone, Default)]
pub struct Ports {
    given: Vec<(&'static str, u16)>,
}

impl Ports {
    /// The port given for `product`, if any.
    pub fn given(&self, product: &str) -> Option<u16> {
        self.given
            .iter()
            .find(|(name, _)| *name == product)
            .map(|(_, port)| *port)
    }
}

impl FromArgMatches for Ports {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut ports = Ports::default();
        ports.update_from_arg_matches(matches)?;
        Ok(ports)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for entry in &PRODUCTS {
            if let Some(port) = matches.get_one::<u16>(entry.port_flag) {
                self.given.retain(|(name, _)| *name != entry.name);
                self.given.push((entry.name, *port));
            }
        }
        Ok(())
    }
}

impl Args for Ports {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        PRODUCTS.iter().fold(cmd, |cmd, entry| {
            let https = if entry.default_tls { ", HTTPS" } else { "" };
            cmd.arg(
                Arg::new(entry.port_flag)
                    .long(entry.port_flag)
                    .env(entry.port_env)
                    .value_name("PORT")
                    .value_parser(clap::value_parser!(u16))
                    .help(format!(
                        "{} port (default {}{https}; 0 = ephemeral)",
                        entry.title, entry.default_port
                    )),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl ServeArgs {
    /// The products to serve, in table order.
    ///
    /// # Errors
    /// A message naming an unknown product.
    pub fn selected_products(&self) -> Result<Vec<&'static products::Entry>, String> {
        let unknown = |flag: &str, name: &str| {
            format!(
                "{flag}: unknown product {name:?} (expected {})",
                products::names_for_message()
            )
        };
        for name in self.tls.iter().flatten() {
            if products::find(name.trim()).is_none() {
                return Err(unknown("--tls", name));
            }
        }
        let Some(names) = &self.only else {
            return Ok(PRODUCTS.iter().collect());
        };
        for name in names {
            if products::find(name.trim()).is_none() {
                return Err(unknown("--only", name));
            }
        }
        let chosen: Vec<&'static products::Entry> = PRODUCTS
            .iter()
            .filter(|e| names.iter().any(|n| n.trim() == e.name))
            .collect();
        if chosen.is_empty() {
            return Err("--only: no product selected".into());
        }
        Ok(chosen)
    }

    /// The port `product` listens on: its flag, else its default.
    pub fn port_for(&self, product: &products::Entry) -> u16 {
        self.ports
            .given(product.name)
            .unwrap_or(product.default_port)
    }

    /// Whether `product` serves HTTPS: its default unless `--no-tls`, or named in `--tls`.
    pub fn tls_for(&self, product: &products::Entry) -> bool {
        if self.no_tls {
            return false;
        }
        product.default_tls || self.tls.iter().flatten().any(|n| n.trim() == product.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_args(std::iter::once("standin").chain(args.iter().copied()))
    }

    fn names(entries: Vec<&products::Entry>) -> Vec<&str> {
        entries.iter().map(|e| e.name).collect()
    }

    #[test]
    fn the_flags_of_all_four_products_fit_in_one_command_line() {
        Cli::command_with_products().debug_assert();
    }

    #[test]
    fn only_and_tls_name_products_and_pmp_is_https_by_default() {
        let cli = parse(&["--only", "opsmgr,pmp", "--tls", "opsmgr"]).unwrap();
        let chosen = cli.serve.selected_products().unwrap();
        assert_eq!(names(chosen), ["pmp", "opsmgr"]);
        let [_, serviceops, pmp, opsmgr] = &PRODUCTS;
        assert!(cli.serve.tls_for(pmp) && cli.serve.tls_for(opsmgr));
        assert!(!cli.serve.tls_for(serviceops));
        let cli = parse(&["--no-tls"]).unwrap();
        assert!(!cli.serve.tls_for(pmp));
        let cli = parse(&["--only", "jira"]).unwrap();
        let err = cli.serve.selected_products().unwrap_err();
        assert!(
            err.contains("opmanager, serviceops, pmp or opsmgr"),
            "{err}"
        );
    }

    #[test]
    fn every_product_gets_a_port_flag_from_the_table_and_its_default_otherwise() {
        let cli = parse(&["--port-pmp", "0", "--port-opmanager", "9000"]).unwrap();
        let [opmanager, serviceops, pmp, _] = &PRODUCTS;
        assert_eq!(cli.serve.port_for(pmp), 0);
        assert_eq!(cli.serve.port_for(opmanager), 9000);
        assert_eq!(cli.serve.port_for(serviceops), 8090);
        let help = Cli::command_with_products().render_long_help().to_string();
        for entry in &PRODUCTS {
            assert!(help.contains(&format!("--{}", entry.port_flag)), "{help}");
            assert!(help.contains(entry.port_env), "{help}");
        }
        assert!(help.contains("opmanager,serviceops,pmp,opsmgr"), "{help}");
    }

    #[test]
    fn zero_workers_are_refused() {
        assert!(parse(&["--workers", "0"]).is_err());
        assert_eq!(parse(&["--workers", "3"]).unwrap().serve.workers, Some(3));
    }

    #[test]
    fn control_allow_takes_networks_and_bare_addresses() {
        let cli = parse(&[
            "--control-allow",
            "10.1.2.3/8",
            "--control-allow",
            "192.168.1.7,fd00::/8",
        ])
        .unwrap();
        let nets: Vec<String> = cli
            .serve
            .control_allow
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(nets, ["10.0.0.0/8", "192.168.1.7/32", "fd00::/8"]);
        assert!(parse(&["--control-allow", "not-a-net"]).is_err());
        assert!(parse(&[]).unwrap().serve.control_allow.is_empty());
    }

    #[test]
    fn defaults_come_from_auth_core() {
        let cli = parse(&[]).unwrap();
        let defaults = auth_core::CommonOptions::default();
        assert_eq!(cli.serve.bind, defaults.bind);
        assert_eq!(cli.serve.journal_size, defaults.journal_size);
        assert_eq!(cli.serve.journal_bytes, defaults.journal_bytes);
    }

    #[test]
    fn journal_bytes_take_binary_suffixes_and_refuse_the_rest() {
        let bytes = |v: &str| parse(&["--journal-bytes", v]).map(|c| c.serve.journal_bytes);
        assert_eq!(bytes("65536").unwrap(), 65536);
        assert_eq!(bytes("64K").unwrap(), 65536);
        assert_eq!(bytes("4 MiB").unwrap(), 4 << 20);
        assert_eq!(bytes("0").unwrap(), 0);
        assert!(bytes("4 parsecs").is_err());
        assert!(bytes("-1").is_err());
        assert!(bytes("99999999999999999999G").is_err());
    }
}
