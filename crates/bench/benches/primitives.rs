//! Micro-benchmarks of the hot primitives: Digest verification, JWT sign and verify, PMP's
//! lenient INPUT_DATA parsing and its envelope serialisation. (`cargo bench -p bench`)

use auth_core::clock::Clock;
use auth_core::digest::DigestServer;
use auth_core::ids::Ids;
use auth_core::jwt::JwtKeys;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use digest_auth::{AuthContext, HttpMethod};
use serde_json::{json, Value};

const URI: &str = "/api/public/v1.0/groups/5953c5f380eef53887615f9a/apiKeys";

fn digest(c: &mut Criterion) {
    let ids = Ids::new(Some(1), "bench");
    let clock = Clock::real();
    let server = DigestServer::new("MMS Public API", 300);
    c.bench_function("digest: challenge (nonce issue)", |b| {
        b.iter(|| black_box(server.challenge(&ids, &clock, false)))
    });
    c.bench_function("digest: verify a fresh response", |b| {
        let mut prompt = digest_auth::parse(&server.challenge(&ids, &clock, false))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut ctx = AuthContext::new("qzvhwmtx", "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3", URI);
        ctx.method = HttpMethod::GET;
        b.iter_batched(
            || {
                if prompt.nc > 4000 {
                    prompt = digest_auth::parse(&server.challenge(&ids, &clock, false))
                        .unwrap_or_else(|e| panic!("{e}"));
                }
                prompt
                    .respond(&ctx)
                    .map(|h| h.to_header_string())
                    .unwrap_or_default()
            },
            |header| {
                let ok = server.verify(&clock, "GET", URI, Some(&header), |user| {
                    (user == "qzvhwmtx")
                        .then(|| ("9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3".to_owned(), ()))
                });
                assert!(ok.is_ok());
            },
            criterion::BatchSize::SmallInput,
        )
    });
}

fn jwt(c: &mut Criterion) {
    let keys = JwtKeys::hs256(b"0123456789abcdef0123456789abcdef");
    let claims = json!({
        "grant_type": "password", "user_name": "tim@acme.com", "scope": ["main-web-app-scope"],
        "exp": 4_102_444_800i64, "authorities": ["ROLE_USER"], "jti": "5b3f6a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        "client_id": "main-web-app-client"
    });
    c.bench_function("jwt: sign HS256", |b| {
        b.iter(|| black_box(keys.sign(&claims)))
    });
    let token = keys.sign(&claims).unwrap_or_default();
    c.bench_function("jwt: verify HS256", |b| {
        b.iter(|| black_box(keys.verify::<Value>(&token, 1_800_000_000).is_ok()))
    });
}

fn pmp(c: &mut Criterion) {
    use pmp_vault::fuzzing;
    let strict = r#"{"operation":{"Details":{"RESOURCENAME":"Windows Server","ACCOUNTNAME":"admin","RESOURCETYPE":"Windows","PASSWORD":"Pa55w0Rd123","NOTES":"seed example"}}}"#;
    let sloppy = "{'operation':{'Details':{RESOURCENAME:'Windows Server' ACCOUNTNAME:'admin','ISAPIUSER':True,'EXPIRY':None}}}";
    c.bench_function("pmp: lenient INPUT_DATA (strict JSON)", |b| {
        b.iter(|| black_box(fuzzing::lenient(black_box(strict)).is_ok()))
    });
    c.bench_function("pmp: lenient INPUT_DATA (quirky)", |b| {
        b.iter(|| black_box(fuzzing::lenient(black_box(sloppy)).is_ok()))
    });
    c.bench_function("pmp: envelope of GET PASSWORD", |b| {
        b.iter(|| black_box(fuzzing::password_reply(black_box("Sys@Passw0rd!"))))
    });
    let rows: Vec<Value> = (0..20)
        .map(|i| json!({"RESOURCE ID": i.to_string(), "RESOURCE NAME": format!("r{i}"), "RESOURCE DESCRIPTION": "", "RESOURCE TYPE": "Linux", "NOOFACCOUNTS": "2"}))
        .collect();
    let details = Value::Array(rows);
    c.bench_function("pmp: envelope of a 20-resource list", |b| {
        b.iter(|| {
            black_box(fuzzing::envelope(
                "GET RESOURCES",
                true,
                "Resources fetched successfully",
                Some(&details),
                Some(20),
            ))
        })
    });
}

criterion_group!(benches, digest, jwt, pmp);
criterion_main!(benches);
