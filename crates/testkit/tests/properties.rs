//! Property tests over whole products: state export -> import -> export is identical (for the
//! fixtures and after real activity), and any sequence of PMP password-access workflow calls
//! keeps the state machine legal.

use proptest::prelude::*;
use serde_json::{Value, json};
use standin_testkit::{Kit, Server, Standin};

async fn round_trip<P: Kit>(server: &Server<P>) {
    let exported = server.state().await;
    // Import into the same instance and into a fresh one: both export the same document.
    server.set_state(exported.clone()).await.unwrap();
    assert_eq!(server.state().await, exported, "{}: same instance", P::NAME);
    let fresh = Standin::product::<P>().tls(false).start().await;
    fresh.set_state(exported.clone()).await.unwrap();
    assert_eq!(fresh.state().await, exported, "{}: fresh instance", P::NAME);
}

#[tokio::test]
async fn every_product_round_trips_its_fixtures_and_its_state_after_activity() {
    let op = Standin::opmanager().start().await;
    round_trip(&op).await;
    let key = op.credentials().api_key;
    let res = op
        .client()
        .post(format!("{}/api/json/discovery/addDevice", op.url()))
        .header("apiKey", key)
        .form(&[("deviceName", "10.99.0.1"), ("netmask", "255.255.255.0")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    round_trip(&op).await;

    let sd = Standin::serviceops().start().await;
    round_trip(&sd).await;
    let bearer = sd.access_token().await;
    for i in 0..3 {
        let res = sd
            .client()
            .post(format!("{}/api/v1/request", sd.url()))
            .bearer_auth(&bearer)
            .json(&json!({"subject": format!("round trip {i}"), "requesterEmail": "tim@acme.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    round_trip(&sd).await;

    let pmp = Standin::pmp().start().await;
    round_trip(&pmp).await;
    let res = pmp
        .client()
        .post(format!("{}/restapi/json/v1/resources", pmp.url()))
        .header("AUTHTOKEN", pmp.credentials().auth_token)
        .form(&[(
            "INPUT_DATA",
            r#"{"operation":{"Details":{"RESOURCENAME":"rt-1","ACCOUNTNAME":"root","RESOURCETYPE":"Linux","PASSWORD":"Rt#12345pw"}}}"#,
        )])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["operation"]["result"]["status"], "Success", "{body}");
    round_trip(&pmp).await;

    let ops = Standin::opsmgr().start().await;
    round_trip(&ops).await;
}

/// One call of the password-access workflow on account 309 (access-controlled, owned by
/// `pmpapi`), requested by `userapi` (id 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Request,
    Approve,
    Reject,
    Checkout,
    Checkin,
    Read,
    /// 31 minutes: past the account's 30-minute checkout.
    Later,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Request),
        Just(Step::Approve),
        Just(Step::Reject),
        Just(Step::Checkout),
        Just(Step::Checkin),
        Just(Step::Read),
        Just(Step::Later),
    ]
}

const ADMIN: &str = "B9A1809A-5BF7-4459-9ED2-8D4F499CB902";
const USER: &str = "C6B1687E-D8D5-4A3E-BF45-77F8D85FCFD4";

/// The model: where userapi's request for 309 stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    None,
    Waiting,
    Approved,
    Out,
}

/// Perform `step`; `Some(success)` for a call, `None` for a clock move.
async fn call(pmp: &Server<standin_testkit::products::Pmp>, step: Step) -> Option<bool> {
    let base = format!("{}/restapi/json/v1", pmp.url());
    let (url, token) = match step {
        Step::Request => (format!("{base}/accounts/309/requestpassword"), USER),
        Step::Approve => (format!("{base}/accounts/309/requester/6/approve"), ADMIN),
        Step::Reject => (format!("{base}/accounts/309/requester/6/reject"), ADMIN),
        Step::Checkout => (format!("{base}/accounts/309/checkout"), USER),
        Step::Checkin => (format!("{base}/accounts/309/requester/6/checkin"), USER),
        Step::Read => (format!("{base}/resources/303/accounts/309/password"), USER),
        Step::Later => {
            pmp.clock()
                .advance(std::time::Duration::from_secs(31 * 60))
                .await;
            return None;
        }
    };
    let req = if step == Step::Read {
        pmp.client().get(url)
    } else {
        pmp.client().post(url).form(&[(
            "INPUT_DATA",
            r#"{"operation":{"Details":{"REASON":"property test"}}}"#,
        )])
    };
    let res = req.header("AUTHTOKEN", token).send().await.unwrap();
    assert_eq!(
        res.status(),
        200,
        "{step:?}: PMP answers every outcome with 200"
    );
    let body: Value = res.json().await.unwrap();
    let status = body["operation"]["result"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        status == "Success" || status == "Failed",
        "{step:?}: {body}"
    );
    Some(status == "Success")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_of_workflow_calls_keeps_the_state_machine_legal(steps in proptest::collection::vec(step(), 1..14)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let pmp = Standin::pmp().start().await;
            pmp.clock().freeze().await;
            let mut model = Model::None;
            for step in steps.iter().copied() {
                let Some(ok) = call(&pmp, step).await else {
                    if model == Model::Out {
                        model = Model::None;
                    }
                    continue;
                };
                let next = match (step, model) {
                    (Step::Request, Model::None) => Some(Model::Waiting),
                    (Step::Approve, Model::Waiting) => Some(Model::Approved),
                    (Step::Reject, Model::Waiting) => Some(Model::None),
                    (Step::Checkout, Model::Approved) => Some(Model::Out),
                    // Checking in an approved request ends it too (the approver revoking access).
                    (Step::Checkin, Model::Out | Model::Approved) => Some(Model::None),
                    (Step::Read, Model::Out) => Some(Model::Out),
                    _ => None,
                };
                match next {
                    Some(state) => {
                        assert!(ok, "{step:?} from {model:?} should succeed ({steps:?})");
                        model = state;
                    }
                    None => assert!(!ok, "{step:?} from {model:?} must fail ({steps:?})"),
                }
            }
        });
    }
}
