//! Password Manager Pro: the lenient INPUT_DATA reader, query/form/multipart body decoding,
//! AUTHTOKEN extraction and path ids.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pmp_vault::fuzzing as pmp;

fuzz_target!(|data: &[u8]| {
    let _ = pmp::form(data);
    let _ = pmp::body(data);
    let _ = pmp::authtoken(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pmp::lenient(text);
        let _ = pmp::input_data(text);
        let _ = pmp::query(text);
        let _ = pmp::path_id(text);
    }
});
