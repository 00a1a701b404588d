//! The product table: every product the launcher serves is declared here, once.
//!
//! One row per product generates its `--port-<name>` flag (and `STANDIN_PORT_<NAME>`), its
//! place in the `--only` and `--tls` lists, its TLS default (from [`Product::DEFAULT_TLS`]),
//! its default port (from [`Product::DEFAULT_PORT`]) and how it is mounted. Adding a product
//! is one row here plus its field in [`Settings`] (the product's own flags).

use auth_core::server::{self, MountError, Prepared};
use auth_core::{CommonOptions, Product};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Every product's own flags (`--opmanager-param-auth`, `--pmp-...`), one field per row of
/// [`PRODUCTS`], flattened into the serving flags.
#[derive(Debug, clap::Args)]
pub struct Settings {
    #[command(flatten)]
    pub opmanager: opmanager_keys::Settings,
    #[command(flatten)]
    pub serviceops: serviceops_oauth::Settings,
    #[command(flatten)]
    pub pmp: pmp_vault::Settings,
    #[command(flatten)]
    pub opsmgr: opsmgr_apikeys::Settings,
}

/// What mounting a product needs besides its port: the products' settings, the options
/// shared by every product, and the TLS configuration when this product serves HTTPS.
pub struct Mount<'a> {
    /// Every product's settings (the row picks its own).
    pub settings: &'a Settings,
    /// Options shared by every product.
    pub options: Arc<CommonOptions>,
    /// `Some` when this product serves HTTPS.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// One product of the launcher.
#[derive(Debug)]
pub struct Entry {
    /// `P::NAME`: `opmanager`, `serviceops`, `pmp`, `opsmgr`.
    pub name: &'static str,
    /// `P::TITLE`, for the startup line.
    pub title: &'static str,
    /// `P::DEFAULT_PORT`.
    pub default_port: u16,
    /// `P::DEFAULT_TLS`: HTTPS unless `--no-tls`.
    pub default_tls: bool,
    /// The port flag, `port-<name>`.
    pub port_flag: &'static str,
    /// The port flag's environment variable, `STANDIN_PORT_<NAME>`.
    pub port_env: &'static str,
    /// Load fixtures, open the store and bind the listener on this port.
    pub prepare: fn(&Mount<'_>, u16) -> Result<Pending, MountError>,
}

/// One table row: the product type, the [`Settings`] field holding its settings, its port
/// flag and that flag's environment variable.
macro_rules! row {
    ($product:ty, $settings:ident, $flag:literal, $env:literal) => {
        Entry {
            name: <$product as Product>::NAME,
            title: <$product as Product>::TITLE,
            default_port: <$product as Product>::DEFAULT_PORT,
            default_tls: <$product as Product>::DEFAULT_TLS,
            port_flag: $flag,
            port_env: $env,
            prepare: |mount, port| {
                prepare::<$product>(mount, port, mount.settings.$settings.clone())
            },
        }
    };
}

/// The products, in the order they are started and reported.
pub const PRODUCTS: [Entry; 4] = [
    row!(
        opmanager_keys::OpManager,
        opmanager,
        "port-opmanager",
        "STANDIN_PORT_OPMANAGER"
    ),
    row!(
        serviceops_oauth::ServiceOps,
        serviceops,
        "port-serviceops",
        "STANDIN_PORT_SERVICEOPS"
    ),
    row!(pmp_vault::Pmp, pmp, "port-pmp", "STANDIN_PORT_PMP"),
    row!(
        opsmgr_apikeys::OpsMgr,
        opsmgr,
        "port-opsmgr",
        "STANDIN_PORT_OPSMGR"
    ),
];

/// The row of `name`, if it is a product.
pub fn find(name: &str) -> Option<&'static Entry> {
    PRODUCTS.iter().find(|entry| entry.name == name)
}

/// The product names, for messages: `opmanager, serviceops, pmp or opsmgr`.
pub fn names_for_message() -> String {
    let names: Vec<&str> = PRODUCTS.iter().map(|e| e.name).collect();
    match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

type StopFuture = Pin<Box<dyn Future<Output = ()>>>;

/// A product whose listener is bound and whose state is loaded, not yet serving.
pub struct Pending {
    /// `P::NAME`.
    pub name: &'static str,
    /// `P::TITLE`.
    pub title: &'static str,
    /// The base URL clients use.
    pub url: String,
    /// Start serving.
    pub start: Box<dyn FnOnce() -> std::io::Result<Started>>,
}

/// A serving product.
pub struct Started {
    /// The HTTP server future (spawn or await it).
    pub server: actix_web::dev::Server,
    /// Stop it and its tenants gracefully.
    pub stop: Box<dyn FnOnce() -> StopFuture>,
}

fn prepare<P: Product>(
    mount: &Mount<'_>,
    port: u16,
    settings: P::Settings,
) -> Result<Pending, MountError> {
    let prepared: Prepared<P> =
        server::prepare::<P>(mount.options.clone(), port, mount.tls.clone(), settings)?;
    let url = prepared.url.clone();
    Ok(Pending {
        name: P::NAME,
        title: P::TITLE,
        url,
        start: Box::new(move || {
            let (running, server) = prepared.start()?;
            Ok(Started {
                server,
                stop: Box::new(move || Box::pin(async move { running.stop().await })),
            })
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_names_its_port_flag_and_variable_after_the_product() {
        for entry in &PRODUCTS {
            assert_eq!(entry.port_flag, format!("port-{}", entry.name));
            assert_eq!(
                entry.port_env,
                format!("STANDIN_PORT_{}", entry.name.to_uppercase())
            );
        }
        let mut names: Vec<&str> = PRODUCTS.iter().map(|e| e.name).collect();
        names.dedup();
        assert_eq!(names.len(), PRODUCTS.len());
    }

    #[test]
    fn the_tls_default_comes_from_the_product() {
        assert!(find("pmp").unwrap().default_tls);
        assert!(!find("opsmgr").unwrap().default_tls);
        assert_eq!(find("opmanager").unwrap().default_port, 8060);
        assert!(find("jira").is_none());
        assert_eq!(names_for_message(), "opmanager, serviceops, pmp or opsmgr");
    }
}
