//! The cost of every parser of client bytes at 1k, 10k and 100k entries: linear cost shows as
//! a constant time per entry (criterion reports it as throughput, `elem/s`).
//! (`cargo bench -p bench --bench parsers`; results in docs/performance.md, "Parser cost".)

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::Duration;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// Run `f` over the input `make(n)` for every size, in a group named `name`.
fn sizes<T>(c: &mut Criterion, name: &str, make: impl Fn(usize) -> T, f: impl Fn(&T)) {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for n in SIZES {
        let input = make(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &input, |b, input| {
            b.iter(|| f(black_box(input)))
        });
    }
    group.finish();
}

fn custom_fields(n: usize, label: impl Fn(usize) -> String) -> String {
    let fields: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"CUSTOMLABEL":"{}","CUSTOMVALUE":"v"}}"#, label(i)))
        .collect();
    format!(
        r#"{{"operation":{{"Details":{{"RESOURCENAME":"r","RESOURCECUSTOMFIELD":[{}]}}}}}}"#,
        fields.join(",")
    )
}

fn multipart(n: usize) -> Vec<u8> {
    let mut body = String::from("multipart/form-data; boundary=XB\n");
    for i in 0..n {
        body.push_str(&format!(
            "--XB\r\nContent-Disposition: form-data; name=\"P{i}\"\r\n\r\nvalue\r\n"
        ));
    }
    body.push_str("--XB--\r\n");
    body.into_bytes()
}

fn form(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| format!("p{i}=v%20{i}"))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

fn pmp(c: &mut Criterion) {
    use pmp_vault::fuzzing as pmp;
    // Distinct labels: refused at 21, the rest of the array only scanned.
    sizes(
        c,
        "pmp INPUT_DATA, N distinct custom fields (refused)",
        |n| custom_fields(n, |i| format!("f{i}")),
        |t| {
            assert!(pmp::custom_fields(t).is_err());
        },
    );
    // Repeats of one label: every entry kept and merged into one field.
    sizes(
        c,
        "pmp INPUT_DATA, N repeats of one custom field (accepted)",
        |n| custom_fields(n, |_| "same".into()),
        |t| {
            assert_eq!(pmp::custom_fields(t).ok(), Some(1));
        },
    );
    sizes(
        c,
        "pmp INPUT_DATA, Python repr, N custom fields",
        |n| custom_fields(n, |i| format!("f{}", i % 20)).replace('"', "'"),
        |t| {
            assert!(pmp::lenient(t).is_ok());
        },
    );
    sizes(c, "pmp form body, N parameters", form, |b| {
        black_box(pmp::form(b));
    });
    sizes(c, "pmp multipart body, N parts", multipart, |b| {
        assert!(pmp::body(b).is_ok());
    });
}

fn serviceops(c: &mut Criterion) {
    use serviceops_oauth::fuzzing as sd;
    let rel = r#"{"type":"RelationalQualificationRest","leftOperand":{"type":"PropertyOperandRest","key":"request.subject"},"operator":"is_not_blank","rightOperand":{"type":"ValueOperandRest","value":{"type":"StringValueRest","value":null}}}"#;
    sizes(
        c,
        "serviceops search/byqual, N conditions (parsed and run on the fixture)",
        |n| {
            format!(
                r#"{{"qualDetails":{{"type":"FlatQualificationRest","quals":[{}]}}}}"#,
                vec![rel; n].join(",")
            )
        },
        |b| {
            assert!(sd::qualification(b.as_bytes()));
        },
    );
    sizes(
        c,
        "serviceops search/byqual, `in` list of N ids",
        |n| {
            let ids: Vec<String> = (0..n).map(|i| i.to_string()).collect();
            format!(
                r#"{{"qualDetails":{{"type":"RelationalQualificationRest","leftOperand":{{"key":"request.id"}},"operator":"in","rightOperand":{{"value":{{"value":[{}]}}}}}}}}"#,
                ids.join(",")
            )
        },
        |b| {
            assert!(sd::qualification(b.as_bytes()));
        },
    );
    sizes(
        c,
        "serviceops token body, multipart of N parts",
        multipart,
        |b| {
            black_box(sd::token_body(b));
        },
    );
    sizes(
        c,
        "serviceops token body, N boundary= in the Content-Type",
        |n| {
            let decoys: String = (0..n).map(|i| format!("; boundary=d{i}")).collect();
            let mut body = format!("multipart/form-data{decoys}\n");
            body.push_str(
                "--real\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n",
            );
            body.push_str(&format!(
                "--real\r\nContent-Disposition: form-data; name=\"pad\"\r\n\r\n{}\r\n--real--\r\n",
                "p".repeat(100_000)
            ));
            body.into_bytes()
        },
        |b| {
            assert_eq!(sd::token_body(b).as_deref(), Some("password"));
        },
    );
}

fn opsmgr(c: &mut Criterion) {
    use opsmgr_apikeys::fuzzing as ops;
    sizes(
        c,
        "opsmgr access-list body, N entries",
        |n| {
            let items: Vec<String> = (0..n)
                .map(|i| {
                    format!(
                        r#"{{"ipAddress":"10.{}.{}.{}"}}"#,
                        i / 65_536 % 256,
                        i / 256 % 256,
                        i % 256
                    )
                })
                .collect();
            format!("[{}]", items.join(",")).into_bytes()
        },
        |b| {
            assert!(ops::key_access_list_body(b));
        },
    );
}

fn opmanager(c: &mut Criterion) {
    use opmanager_keys::fuzzing as op;
    sizes(c, "opmanager form body, N parameters", form, |b| {
        black_box(op::form_params(b));
    });
    sizes(
        c,
        "opmanager XSS filter, `on` repeated N times",
        |n| "on".repeat(n),
        |t| {
            assert!(!op::markup(t));
        },
    );
}

fn auth_core(c: &mut Criterion) {
    use auth_core::credentials::form_param;
    use auth_core::digest::parse_authorization;
    sizes(
        c,
        "auth-core Digest header, N bytes (refused over 8 KiB)",
        |n| {
            let mut h = String::from(
                r#"Digest username="qzvhwmtx", realm="MMS Public API", nonce="n", uri="/", response="r""#,
            );
            while h.len() < n {
                h.push_str(", x=y");
            }
            h
        },
        |h| {
            black_box(parse_authorization(h).is_ok());
        },
    );
    sizes(
        c,
        "auth-core form_param, a name absent from N parameters",
        |n| String::from_utf8(form(n)).unwrap_or_default(),
        |t| {
            assert!(form_param(t, "absent").is_none());
        },
    );
}

criterion_group!(benches, pmp, serviceops, opsmgr, opmanager, auth_core);
criterion_main!(benches);
