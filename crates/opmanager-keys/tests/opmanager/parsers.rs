//! Hostile sizes of request parameters: the validators answer with OpManager's own error
//! codes, and their cost stays linear in the input.

use crate::common::*;

async fn list_alarms_with_form(srv: &Srv, form: String) -> Value {
    let res = srv
        .client
        .get(srv.url("/api/json/alarm/listAlarms"))
        .header("apiKey", ADMIN_KEY)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

#[actix_web::test]
async fn a_long_value_of_repeated_on_is_too_long_not_markup() {
    let srv = Srv::start().await;
    // 200,000 characters of `onon…`: every `on` once looked for a handler name to its end.
    let body = list_alarms_with_form(&srv, format!("deviceName={}", "on".repeat(100_000))).await;
    assert_eq!(errorcode(&body), "MORE_THAN_MAX_LENGTH", "{body}");
    let body = list_alarms_with_form(&srv, format!("deviceName={}", "-on".repeat(60_000))).await;
    assert_eq!(errorcode(&body), "MORE_THAN_MAX_LENGTH", "{body}");
    let tail = format!("deviceName={}%20onclick%20=x", "-on".repeat(60_000));
    let body = list_alarms_with_form(&srv, tail).await;
    assert_eq!(errorcode(&body), "XSS_DETECTED", "{body}");
}

#[actix_web::test]
async fn tens_of_thousands_of_parameters_are_read_and_a_repeat_is_refused() {
    let srv = Srv::start().await;
    let mut form = "x=1&".repeat(40_000);
    form.push_str("deviceName=a&deviceName=b");
    let body = list_alarms_with_form(&srv, form).await;
    assert_eq!(errorcode(&body), "MORE_THAN_MAX_OCCURANCE", "{body}");
    let body = list_alarms_with_form(&srv, "x=1&".repeat(40_000)).await;
    assert!(body.is_array() || body.get("errorcode").is_none(), "{body}");
}
