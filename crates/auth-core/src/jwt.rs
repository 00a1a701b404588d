//! JWT (RFC 7519) HS256 issue and verification with a per-instance secret.
//!
//! Expiry is checked against the instance [`Clock`](crate::clock::Clock), not system time, so a
//! test can advance the clock past `exp`. Only HS256 is accepted: `alg: none`, other algorithms,
//! tampered payloads and tokens signed with another instance's secret are refused.

use crate::credentials::AuthError;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The signing keys of one instance.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(HS256, secret hidden)")
    }
}

impl JwtKeys {
    /// Keys for HMAC-SHA256 with `secret`.
    pub fn hs256(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// Sign `claims` with header `{"alg":"HS256","typ":"JWT"}`.
    ///
    /// # Errors
    /// [`AuthError::Malformed`] if the claims cannot be serialised.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, AuthError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|_| AuthError::Malformed("claims cannot be encoded"))
    }

    /// Verify the signature and, when the token has an `exp` claim, that `exp` is later than
    /// `now_secs` (instance clock).
    ///
    /// # Errors
    /// [`AuthError::Malformed`] for a token that is not a JWT, [`AuthError::Invalid`] for a
    /// bad signature or algorithm, [`AuthError::Expired`] once `exp` has passed.
    pub fn verify<T: DeserializeOwned>(&self, token: &str, now_secs: i64) -> Result<T, AuthError> {
        let data =
            jsonwebtoken::decode::<serde_json::Value>(token, &self.decoding, &self.validation)
                .map_err(|e| match e.kind() {
                    jsonwebtoken::errors::ErrorKind::InvalidSignature
                    | jsonwebtoken::errors::ErrorKind::InvalidAlgorithm
                    | jsonwebtoken::errors::ErrorKind::InvalidAlgorithmName => AuthError::Invalid,
                    _ => AuthError::Malformed("not a JWT"),
                })?;
        if let Some(exp) = data.claims.get("exp") {
            let exp = exp
                .as_i64()
                .ok_or(AuthError::Malformed("exp is not a number"))?;
            if exp <= now_secs {
                return Err(AuthError::Expired);
            }
        }
        serde_json::from_value(data.claims).map_err(|_| AuthError::Malformed("unexpected claims"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Claims {
        user_name: String,
        exp: i64,
    }

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let keys = JwtKeys::hs256(b"instance-secret");
        let token = keys
            .sign(&Claims {
                user_name: "tim".into(),
                exp: 1000,
            })
            .unwrap();
        let claims: Claims = keys.verify(&token, 999).unwrap();
        assert_eq!(claims.user_name, "tim");
        assert_eq!(keys.verify::<Claims>(&token, 1000), Err(AuthError::Expired));
    }

    #[test]
    fn another_instances_token_is_invalid() {
        let token = JwtKeys::hs256(b"a")
            .sign(&Claims {
                user_name: "x".into(),
                exp: 10,
            })
            .unwrap();
        assert_eq!(
            JwtKeys::hs256(b"b").verify::<Claims>(&token, 0),
            Err(AuthError::Invalid)
        );
    }

    #[test]
    fn alg_none_and_tampered_tokens_are_refused() {
        let keys = JwtKeys::hs256(b"k");
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none = format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(r#"{"user_name":"x","exp":99999999999}"#)
        );
        assert!(keys.verify::<Claims>(&none, 0).is_err());
        let token = keys
            .sign(&Claims {
                user_name: "x".into(),
                exp: 10,
            })
            .unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = b64.encode(r#"{"user_name":"admin","exp":10}"#);
        assert_eq!(
            keys.verify::<Claims>(&parts.join("."), 0),
            Err(AuthError::Invalid)
        );
        assert!(keys.verify::<Claims>("garbage", 0).is_err());
    }
}
