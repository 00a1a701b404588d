//! `standin-floor`: the floor the bench measures standin against — a bare actix-web 4 server
//! answering `GET /` with a fixed 13-byte body, built with the same actix version, the same
//! worker count per listener as `standin`'s default (the cores shared among four products)
//! and the same connection settings, so the difference to a standin workload is standin's own
//! work per request (routing, authentication, store, serialisation, journal).
//!
//! ```text
//! standin-floor --ready-file PATH [--workers N]
//! ```
//! writes `{"floor":"http://127.0.0.1:PORT"}` to PATH once bound, then serves until killed.

use actix_web::{web, App, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut ready = None;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut workers = (cores / 4).max(1);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--ready-file" => ready = args.next(),
            "--workers" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => workers = n,
                _ => return usage("--workers needs a positive number"),
            },
            other => return usage(&format!("unknown argument {other}")),
        }
    }
    let Some(ready) = ready else {
        return usage("--ready-file is required");
    };
    match serve(&ready, workers) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("standin-floor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("standin-floor: {problem}\nusage: standin-floor --ready-file PATH [--workers N]");
    ExitCode::from(2)
}

#[actix_web::main]
async fn serve(ready: &str, workers: usize) -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async { HttpResponse::Ok().body("Hello, world!") }),
        )
    })
    .workers(workers)
    .disable_signals()
    .client_request_timeout(std::time::Duration::from_secs(10))
    .listen(listener)?
    .run();
    std::fs::write(ready, format!("{{\"floor\":\"http://127.0.0.1:{port}\"}}"))?;
    server.await
}
