//! Command-line flags. Every flag can also be given as a `STANDIN_*` environment variable.

use clap::{Args, Parser, Subcommand};
use std::net::IpAddr;
use std::path::PathBuf;

/// The products, in the order they are started and reported.
pub const PRODUCTS: [&str; 4] = ["opmanager", "serviceops", "pmp", "opsmgr"];

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
    /// Serve only these products (comma-separated: opmanager,serviceops,pmp,opsmgr).
    #[arg(long, env = "STANDIN_ONLY", value_delimiter = ',')]
    pub only: Option<Vec<String>>,
    /// OpManager port (default 8060; 0 = ephemeral).
    #[arg(long, env = "STANDIN_PORT_OPMANAGER")]
    pub port_opmanager: Option<u16>,
    /// ServiceOps port (default 8090; 0 = ephemeral).
    #[arg(long, env = "STANDIN_PORT_SERVICEOPS")]
    pub port_serviceops: Option<u16>,
    /// Password Manager Pro port (default 7272, HTTPS; 0 = ephemeral).
    #[arg(long, env = "STANDIN_PORT_PMP")]
    pub port_pmp: Option<u16>,
    /// Ops Manager port (default 8080; 0 = ephemeral).
    #[arg(long, env = "STANDIN_PORT_OPSMGR")]
    pub port_opsmgr: Option<u16>,
    /// Address to listen on.
    #[arg(long, env = "STANDIN_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Keep state in SQLite files here (one per product) instead of in memory.
    #[arg(long, env = "STANDIN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Load `<product>.json` fixtures from this directory instead of the built-in ones.
    #[arg(long, env = "STANDIN_FIXTURES")]
    pub fixtures: Option<PathBuf>,
    /// Make every generated key, token, id and nonce reproducible.
    #[arg(long, env = "STANDIN_SEED")]
    pub seed: Option<u64>,
    /// Write `{"product":"url",...}` here once every listener is bound.
    #[arg(long, env = "STANDIN_READY_FILE")]
    pub ready_file: Option<PathBuf>,
    /// Serve these products over HTTPS too (PMP always does unless --no-tls).
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
    /// Require `Authorization: Bearer <token>` on /_standin/ (then callers need not be local).
    #[arg(long, env = "STANDIN_CONTROL_TOKEN", hide_env_values = true)]
    pub control_token: Option<String>,
    /// Add the refusal reason as an X-Standin-Reason response header.
    #[arg(long, env = "STANDIN_EXPLAIN")]
    pub explain: bool,
    /// Request journal entries kept per instance.
    #[arg(long, env = "STANDIN_JOURNAL_SIZE", default_value_t = 10_000)]
    pub journal_size: usize,
    /// HTTP worker threads per product (default: the cores shared among the products served,
    /// at least one).
    #[arg(long, env = "STANDIN_WORKERS")]
    pub workers: Option<usize>,
    #[command(flatten)]
    pub opmanager: opmanager_keys::Settings,
    #[command(flatten)]
    pub serviceops: serviceops_oauth::Settings,
    #[command(flatten)]
    pub pmp: pmp_vault::Settings,
    #[command(flatten)]
    pub opsmgr: opsmgr_apikeys::Settings,
}

impl ServeArgs {
    /// The products to serve, in canonical order.
    ///
    /// # Errors
    /// A message naming an unknown product.
    pub fn selected_products(&self) -> Result<Vec<&'static str>, String> {
        for name in self.tls.iter().flatten() {
            if !PRODUCTS.contains(&name.trim()) {
                return Err(format!(
                    "--tls: unknown product {name:?} (expected opmanager, serviceops, pmp or opsmgr)"
                ));
            }
        }
        match &self.only {
            None => Ok(PRODUCTS.to_vec()),
            Some(names) => {
                for name in names {
                    if !PRODUCTS.contains(&name.trim()) {
                        return Err(format!(
                            "--only: unknown product {name:?} (expected opmanager, serviceops, pmp or opsmgr)"
                        ));
                    }
                }
                let chosen: Vec<&'static str> = PRODUCTS
                    .iter()
                    .copied()
                    .filter(|p| names.iter().any(|n| n.trim() == *p))
                    .collect();
                if chosen.is_empty() {
                    return Err("--only: no product selected".into());
                }
                Ok(chosen)
            }
        }
    }

    /// The port flag for `product`, if given.
    pub fn port_for(&self, product: &str) -> Option<u16> {
        match product {
            "opmanager" => self.port_opmanager,
            "serviceops" => self.port_serviceops,
            "pmp" => self.port_pmp,
            _ => self.port_opsmgr,
        }
    }

    /// Whether `product` serves HTTPS.
    pub fn tls_for(&self, product: &str) -> bool {
        if self.no_tls {
            return false;
        }
        product == "pmp" || self.tls.iter().flatten().any(|n| n.trim() == product)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_flags_of_all_four_products_fit_in_one_command_line() {
        Cli::command().debug_assert();
    }

    #[test]
    fn only_and_tls_name_products_and_pmp_is_https_by_default() {
        let cli =
            Cli::try_parse_from(["standin", "--only", "opsmgr,pmp", "--tls", "opsmgr"]).unwrap();
        assert_eq!(cli.serve.selected_products().unwrap(), ["pmp", "opsmgr"]);
        assert!(cli.serve.tls_for("pmp") && cli.serve.tls_for("opsmgr"));
        assert!(!cli.serve.tls_for("serviceops"));
        let cli = Cli::try_parse_from(["standin", "--no-tls"]).unwrap();
        assert!(!cli.serve.tls_for("pmp"));
        let cli = Cli::try_parse_from(["standin", "--only", "jira"]).unwrap();
        assert!(cli.serve.selected_products().is_err());
    }
}
