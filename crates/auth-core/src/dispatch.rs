//! The product's route table, matched by path segments instead of one regex per route.
//!
//! actix-router matches every dynamic pattern with regex-lite's PikeVM: about 40,000
//! instructions for the route that matches and 5,000–8,000 for each one tried before it
//! (callgrind, docs/performance.md). The patterns the products use are simpler than a regex:
//! literal segments, a `{name}` segment (one or more characters other than `/`), a segment
//! with one `{name}` between a literal prefix and suffix (`status{sev}.gif`), and an optional
//! trailing slash spelled `{slash:/?}`. `Table` matches those by splitting the path once and
//! comparing segments, with the same outcome as actix for every path: the first pattern in
//! registration order that matches wins, the same values are captured under the same names
//! in the same order (`slash` included, empty or `/`), and a path no pattern matches goes to
//! the app's default service (the product's 404). A matched path without a route for the
//! method gets the product's 405, as each resource's default service answered before.
//!
//! A product whose table has any other kind of pattern (a custom regex, a tail `*`, two
//! parameters in one segment) is registered as before, one actix resource per path:
//! [`unsupported`] names such patterns (a launcher test keeps the list empty for all four).

use crate::engine::method_not_allowed;
use crate::product::{OpRoute, Product};
use actix_service::boxed::{BoxService, BoxServiceFactory};
use actix_service::{Service, ServiceFactory};
use actix_web::body::BoxBody;
use actix_web::dev::{
    AppService, HttpServiceFactory, ResourceDef, ServiceRequest, ServiceResponse,
};
use actix_web::{web, Error, HttpMessage, Route};
use futures_util::future::LocalBoxFuture;
use std::collections::HashMap;
use std::rc::Rc;

/// The suffix spelling an optional trailing slash, captured as `slash`.
const SLASH: &str = "{slash:/?}";

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// The segment must equal this.
    Lit(&'static str),
    /// `prefix{name}suffix`: at least one character between the two literals.
    Param {
        name: &'static str,
        prefix: &'static str,
        suffix: &'static str,
    },
}

/// A route pattern split into segments.
#[derive(Debug, Clone)]
struct Pattern {
    segs: Vec<Seg>,
    /// Ends in `{slash:/?}`.
    slash: bool,
}

/// Split `path` into segments, or `None` when it uses a form [`Table`] does not match the
/// way actix would.
fn parse(path: &'static str) -> Option<Pattern> {
    let (body, slash) = match path.strip_suffix(SLASH) {
        Some(rest) => (rest, true),
        None => (path, false),
    };
    let body = body.strip_prefix('/')?;
    if body.contains('*') {
        return None;
    }
    let mut segs = Vec::new();
    for seg in body.split('/') {
        segs.push(parse_segment(seg)?);
    }
    if slash && segs.iter().all(|s| *s == Seg::Lit("")) {
        // `/{slash:/?}`: the bare root; rare enough to leave to actix.
        return None;
    }
    Some(Pattern { segs, slash })
}

fn parse_segment(seg: &'static str) -> Option<Seg> {
    let Some(open) = seg.find('{') else {
        return (!seg.contains('}')).then_some(Seg::Lit(seg));
    };
    let close = open + seg[open..].find('}')?;
    let name = &seg[open + 1..close];
    let suffix = &seg[close + 1..];
    let plain = |s: &str| !s.contains('{') && !s.contains('}');
    let named = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !named || !plain(&seg[..open]) || !plain(suffix) {
        return None;
    }
    Some(Seg::Param {
        name,
        prefix: &seg[..open],
        suffix,
    })
}

/// The patterns of one product, in registration order, bucketed by segment count.
#[derive(Debug, Default)]
pub(crate) struct Table {
    patterns: Vec<Pattern>,
    /// `by_len[n]`: indexes of the patterns with `n` segments, in order.
    by_len: Vec<Vec<usize>>,
    /// The answer for a path spelled exactly as a literal pattern (most of OpManager's and
    /// PMP's paths): what the scan gives for that path, found once when the table is built.
    literal: HashMap<&'static str, (usize, Captures)>,
}

/// What a match captured: `(name, start, end)` byte ranges of the path, in pattern order.
pub(crate) type Captures = Vec<(&'static str, usize, usize)>;

/// The most segments a request path is split into (longer paths match no pattern here).
const MAX_SEGS: usize = 32;

impl Table {
    /// The table of `paths`, or the first path it cannot match like actix.
    fn new(paths: &[&'static str]) -> Result<Table, &'static str> {
        let mut table = Table::default();
        for (i, path) in paths.iter().enumerate() {
            let pattern = parse(path).ok_or(*path)?;
            if pattern.segs.len() >= MAX_SEGS {
                return Err(path);
            }
            let n = pattern.segs.len();
            if table.by_len.len() <= n {
                table.by_len.resize(n + 1, Vec::new());
            }
            table.by_len[n].push(i);
            table.patterns.push(pattern);
        }
        for (path, pattern) in paths.iter().zip(&table.patterns) {
            let literal = !pattern.slash && pattern.segs.iter().all(|s| matches!(s, Seg::Lit(_)));
            if literal {
                // An earlier pattern may take this path too: keep what the scan answers.
                if let Some(found) = table.scan(path) {
                    table.literal.insert(path, found);
                }
            }
        }
        Ok(table)
    }

    /// The first pattern matching `path` and what it captured.
    pub(crate) fn find(&self, path: &str) -> Option<(usize, Captures)> {
        match self.literal.get(path) {
            Some(found) => Some(found.clone()),
            None => self.scan(path),
        }
    }

    /// [`Table::find`] by comparing segments.
    fn scan(&self, path: &str) -> Option<(usize, Captures)> {
        let body = path.strip_prefix('/')?;
        let mut segs: [(usize, &str); MAX_SEGS] = [(0, ""); MAX_SEGS];
        let mut n = 0;
        let mut at = 1;
        for seg in body.split('/') {
            if n == MAX_SEGS {
                return None;
            }
            segs[n] = (at, seg);
            n += 1;
            at += seg.len() + 1;
        }
        let segs = &segs[..n];
        // The whole path against patterns of its length (a `{slash:/?}` pattern captures
        // an empty `slash`), and, when the path ends in `/`, the path without it against
        // `{slash:/?}` patterns one segment shorter (capturing the `/`).
        let whole = self.first(segs, false);
        let trimmed = match segs.split_last() {
            Some(((_, ""), rest)) if !rest.is_empty() => self.first(rest, true),
            _ => None,
        };
        let (index, slash_at) = match (whole, trimmed) {
            (Some(w), Some(t)) if t < w => (t, Some(path.len() - 1)),
            (Some(w), _) => (w, None),
            (None, Some(t)) => (t, Some(path.len() - 1)),
            (None, None) => return None,
        };
        let pattern = &self.patterns[index];
        let mut captures = Vec::new();
        for (seg, (at, text)) in pattern.segs.iter().zip(segs) {
            if let Seg::Param {
                name,
                prefix,
                suffix,
            } = seg
            {
                captures.push((*name, at + prefix.len(), at + text.len() - suffix.len()));
            }
        }
        if pattern.slash {
            captures.push(match slash_at {
                Some(at) => ("slash", at, at + 1),
                None => ("slash", path.len(), path.len()),
            });
        }
        Some((index, captures))
    }

    /// The first pattern (in order) of `segs.len()` segments matching `segs`; with
    /// `slash_only`, only `{slash:/?}` patterns.
    fn first(&self, segs: &[(usize, &str)], slash_only: bool) -> Option<usize> {
        self.by_len.get(segs.len())?.iter().copied().find(|&i| {
            let pattern = &self.patterns[i];
            // From the last segment back: the literals that tell routes apart come last.
            (!slash_only || pattern.slash)
                && pattern
                    .segs
                    .iter()
                    .zip(segs)
                    .rev()
                    .all(|(seg, (_, text))| seg_matches(seg, text))
        })
    }
}

fn seg_matches(seg: &Seg, text: &str) -> bool {
    match seg {
        Seg::Lit(lit) => text == *lit,
        Seg::Param { prefix, suffix, .. } => {
            text.len() > prefix.len() + suffix.len()
                && text.starts_with(prefix)
                && text.ends_with(suffix)
        }
    }
}

/// The paths of `P`'s route table that `Table` cannot match like actix (registered as
/// actix resources instead).
pub fn unsupported<P: Product>() -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = P::routes()
        .iter()
        .map(|r| r.path)
        .filter(|p| parse(p).is_none())
        .collect();
    paths.dedup();
    paths
}

/// The operation a request was routed to, left in its extensions for the engine's journal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Routed(pub(crate) &'static str);

/// Register `P`'s routes: as one [`Dispatch`] service when the table allows, else one actix
/// resource per path (each with the product's 405 for other methods).
pub(crate) fn register_routes<P: Product>(cfg: &mut web::ServiceConfig) {
    let mut groups: Vec<(&'static str, Vec<(Route, &'static str)>)> = Vec::new();
    for OpRoute {
        path,
        route,
        operation,
        ..
    } in P::routes()
    {
        match groups.iter_mut().find(|(p, _)| *p == path) {
            Some((_, routes)) => routes.push((route, operation)),
            None => groups.push((path, vec![(route, operation)])),
        }
    }
    let paths: Vec<&'static str> = groups.iter().map(|(p, _)| *p).collect();
    match Table::new(&paths) {
        Ok(table) => {
            cfg.service(Dispatch::<P> {
                table: Rc::new(table),
                groups: groups.into_iter().map(|(_, routes)| routes).collect(),
                product: std::marker::PhantomData,
            });
        }
        Err(_) => {
            for (path, routes) in groups {
                let mut resource = web::resource(path).name(path);
                for (route, _) in routes {
                    resource = resource.route(route);
                }
                cfg.service(resource.default_service(web::to(method_not_allowed::<P>)));
            }
        }
    }
}

/// Every route of a product behind one service matching the whole path space.
struct Dispatch<P: Product> {
    table: Rc<Table>,
    groups: Vec<Vec<(Route, &'static str)>>,
    product: std::marker::PhantomData<P>,
}

type Factory = BoxServiceFactory<(), ServiceRequest, ServiceResponse<BoxBody>, Error, ()>;
type Boxed = BoxService<ServiceRequest, ServiceResponse<BoxBody>, Error>;

impl<P: Product> HttpServiceFactory for Dispatch<P> {
    fn register(self, config: &mut AppService) {
        let factory = DispatchFactory {
            table: self.table,
            groups: Rc::new(self.groups),
            not_allowed: Rc::new(web::to(method_not_allowed::<P>)),
            default: config.default_service(),
        };
        // The empty prefix matches every path that starts with `/`; paths no pattern
        // matches go on to the app's default service, as they did past the last resource.
        config.register_service(ResourceDef::prefix(""), None, factory, None);
    }
}

struct DispatchFactory {
    table: Rc<Table>,
    groups: Rc<Vec<Vec<(Route, &'static str)>>>,
    not_allowed: Rc<Route>,
    default: Rc<Factory>,
}

type Answer = LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, Error>>;

/// One route's service: the answer when the route's guards (its method) take the request,
/// else the request back.
type Try = Box<dyn Fn(ServiceRequest) -> Result<Answer, ServiceRequest>>;

impl ServiceFactory<ServiceRequest> for DispatchFactory {
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Config = ();
    type Service = DispatchService;
    type InitError = ();
    type Future = LocalBoxFuture<'static, Result<DispatchService, ()>>;

    fn new_service(&self, _: ()) -> Self::Future {
        let table = self.table.clone();
        let groups: Vec<Vec<_>> = self
            .groups
            .iter()
            .map(|routes| {
                routes
                    .iter()
                    .map(|(route, op)| (route.new_service(()), *op))
                    .collect()
            })
            .collect();
        let not_allowed = self.not_allowed.new_service(());
        let default = self.default.new_service(());
        Box::pin(async move {
            let mut services = Vec::with_capacity(groups.len());
            for routes in groups {
                let mut group: Vec<Try> = Vec::with_capacity(routes.len());
                for (fut, operation) in routes {
                    let service = fut.await?;
                    group.push(Box::new(move |mut req: ServiceRequest| {
                        if service.check(&mut req) {
                            req.extensions_mut().insert(Routed(operation));
                            Ok(service.call(req))
                        } else {
                            Err(req)
                        }
                    }));
                }
                services.push(group);
            }
            let not_allowed = not_allowed.await?;
            Ok(DispatchService {
                table,
                groups: services,
                not_allowed: Box::new(move |req| not_allowed.call(req)),
                default: default.await?,
            })
        })
    }
}

struct DispatchService {
    table: Rc<Table>,
    groups: Vec<Vec<Try>>,
    not_allowed: Box<dyn Fn(ServiceRequest) -> Answer>,
    default: Boxed,
}

impl Service<ServiceRequest> for DispatchService {
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = Answer;

    actix_service::always_ready!();

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let Some((index, captures)) = self.table.find(req.match_info().unprocessed()) else {
            return self.default.call(req);
        };
        for (name, start, end) in captures {
            let value = req.match_info().unprocessed()[start..end].to_owned();
            req.match_info_mut().add_static(name, value);
        }
        // The routes of the path in order, as a resource tries them; none for the method:
        // the product's 405.
        for route in &self.groups[index] {
            match route(req) {
                Ok(answer) => return answer,
                Err(back) => req = back,
            }
        }
        (self.not_allowed)(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::dev::{Path, Url};

    /// Patterns of every form the products use, in an order with overlaps (a literal before
    /// a parameter in the same place, and the other way round).
    const PATTERNS: &[&str] = &[
        "/",
        "/api/json/device/listDevices",
        "/api/public/v1.0/orgs/{org_id}/apiKeys{slash:/?}",
        "/api/public/v1.0/groups/byName/{name}{slash:/?}",
        "/api/public/v1.0/groups/{group_id}/apiKeys{slash:/?}",
        "/api/public/v1.0/orgs{slash:/?}",
        "/api/public/v1.0/orgs/{org_id}{slash:/?}",
        "/api/public/v1.0{slash:/?}",
        "/api/public/v1.0/groups/{group_id}{slash:/?}",
        "/restapi/json/v1/resources/{rid}/accounts/{aid}/",
        "/restapi/json/v1/resources/{rid}/accounts/{aid}",
        "/restapi/json/v1/resources/{rid}/accounts/{aid}/password",
        "/images/devices/status{sev}.gif",
        "/images/devices/status{sev}",
        "/images/{file}.png",
        "/a/{x}/b",
        "/a/lit/b",
        "/a//b",
        "/api/v1/requests/{id}/notes/{note_id}",
        "/api/v1/requests/{id}",
        // A path ending in `/` fits both: the earlier pattern wins, either way round.
        "/b/{x}/",
        "/b/{x}{slash:/?}",
        "/c/{x}{slash:/?}",
        "/c/{x}/",
    ];

    /// Paths around every pattern: fitting, one character off, slashes added and removed,
    /// empty segments, encoded and non-ASCII text.
    fn probes() -> Vec<String> {
        let values = [
            "x", "5f1a2b", "byName", "lit", "apiKeys", "%2F", "é", ".gif", "status",
        ];
        let mut paths = vec![
            String::new(),
            "/".into(),
            "//".into(),
            "*".into(),
            "/a//b/".into(),
            "/images/devices/status.gif".into(),
            "/images/devices/status.gif.gif".into(),
            "/images/devices/statusé.gif".into(),
            "/images/.png".into(),
            "/images/x.png/".into(),
        ];
        for pattern in PATTERNS {
            for value in values {
                let filled = pattern
                    .replace(SLASH, "")
                    .split('/')
                    .map(|seg| match (seg.find('{'), seg.find('}')) {
                        (Some(a), Some(b)) => format!("{}{value}{}", &seg[..a], &seg[b + 1..]),
                        _ => seg.to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                for variant in [
                    filled.clone(),
                    format!("{filled}/"),
                    format!("{filled}//"),
                    format!("{filled}/x"),
                    format!("/{filled}"),
                    filled.trim_end_matches('/').to_owned(),
                    filled.replacen('/', "//", 2),
                    filled.to_uppercase(),
                    filled.replace(value, ""),
                ] {
                    paths.push(variant);
                }
            }
        }
        paths
    }

    /// What actix makes of `path`: the first pattern that matches and the captured
    /// `(name, value)` pairs.
    fn actix(defs: &[ResourceDef], path: &str) -> Option<(usize, Vec<(String, String)>)> {
        let uri: actix_web::http::Uri = path.parse().ok()?;
        for (i, def) in defs.iter().enumerate() {
            let mut matched = Path::new(Url::new(uri.clone()));
            if def.capture_match_info(&mut matched) {
                let pairs = matched
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                return Some((i, pairs));
            }
        }
        None
    }

    fn ours(table: &Table, path: &str) -> Option<(usize, Vec<(String, String)>)> {
        let uri: actix_web::http::Uri = path.parse().ok()?;
        let url = Url::new(uri);
        let path = url.path();
        let (i, captures) = table.find(path)?;
        let pairs = captures
            .into_iter()
            .map(|(k, a, b)| (k.to_owned(), path[a..b].to_owned()))
            .collect();
        Some((i, pairs))
    }

    #[test]
    fn every_probe_routes_as_actix_routes_it() {
        let table = Table::new(PATTERNS).expect("all supported");
        let defs: Vec<ResourceDef> = PATTERNS.iter().map(|p| ResourceDef::new(*p)).collect();
        let mut matched = 0;
        for path in probes() {
            let want = actix(&defs, &path);
            matched += usize::from(want.is_some());
            assert_eq!(ours(&table, &path), want, "path {path:?}");
        }
        // The probes reach most patterns, with and without a slash.
        assert!(matched > 150, "only {matched} probes matched");
    }

    #[test]
    fn a_literal_path_taken_by_an_earlier_pattern_stays_with_it() {
        // `/a/{x}/b` comes before `/a/lit/b`: actix routes `/a/lit/b` to the first.
        let table = Table::new(PATTERNS).expect("all supported");
        let first = PATTERNS.iter().position(|p| *p == "/a/{x}/b");
        assert_eq!(table.find("/a/lit/b").map(|(i, _)| i), first);
        assert_eq!(table.find("/a/lit/b"), table.scan("/a/lit/b"));
        let listed = PATTERNS
            .iter()
            .position(|p| *p == "/api/json/device/listDevices");
        assert!(table.literal.contains_key("/api/json/device/listDevices"));
        assert_eq!(
            table.find("/api/json/device/listDevices").map(|(i, _)| i),
            listed
        );
    }

    #[test]
    fn forms_actix_matches_differently_are_refused() {
        for path in [
            "/files/{tail}*",
            "/a/{id:\\d+}",
            "/a/{x}-{y}",
            "a/{x}",
            "/{slash:/?}",
            "/a/{}",
            "/a/{x",
            "/a/x}",
        ] {
            assert!(parse(path).is_none(), "{path} should fall back to actix");
        }
        assert!(Table::new(&["/ok/{x}", "/bad/{x:[0-9]+}"]).is_err());
    }
}
