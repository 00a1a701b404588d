//! JWT (RFC 7519) issue and verification as a JWS compact serialisation (RFC 7515 section 3.1), HS256
//! with a per-instance secret or RS256 with a per-instance RSA key.
//!
//! The header is written as fixed bytes, so a product can match its vendor's byte for byte:
//! `{"alg":"HS256","typ":"JWT"}` (alg first, as Spring Security's `JwtHelper` writes it) or
//! `{"alg":"RS256","typ":"JWT"}`, optionally followed by `"kid":"..."`.
//!
//! Expiry is checked against the instance [`Clock`](crate::clock::Clock), not system time, so a
//! test can advance the clock past `exp`. A key accepts only its own algorithm: `alg: none`,
//! an HS256 token offered to RS256 keys (the algorithm-confusion attack, RFC 8725 section 2.1), other
//! algorithms, tampered payloads and tokens signed with another instance's key are refused.

use crate::credentials::AuthError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use rand::SeedableRng as _;
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The signing keys of one instance.
pub struct JwtKeys {
    algorithm: Algorithm,
    /// The header as sent: base64url of its JSON bytes.
    header_b64: String,
    header: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// RS256 only: the public key as a JWK (RFC 7517 section 4, RFC 7518 section 6.3.1).
    public_jwk: Option<serde_json::Value>,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JwtKeys({}, key hidden)", self.header)
    }
}

/// The only header member verification reads.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'a, str>,
}

/// The only claim verification itself reads.
#[derive(Deserialize)]
struct Expiry {
    #[serde(default)]
    exp: Option<i64>,
}

/// A `rand_core` 0.6 generator (what `rsa` 0.9 takes) over the workspace's ChaCha20.
struct KeygenRng(rand_chacha::ChaCha20Rng);

impl rsa::rand_core::RngCore for KeygenRng {
    fn next_u32(&mut self) -> u32 {
        rand::RngCore::next_u32(&mut self.0)
    }
    fn next_u64(&mut self) -> u64 {
        rand::RngCore::next_u64(&mut self.0)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand::RngCore::fill_bytes(&mut self.0, dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        rand::RngCore::fill_bytes(&mut self.0, dest);
        Ok(())
    }
}

impl rsa::rand_core::CryptoRng for KeygenRng {}

impl JwtKeys {
    /// Keys for HMAC-SHA256 with `secret`; header `{"alg":"HS256","typ":"JWT"}`.
    pub fn hs256(secret: &[u8]) -> Self {
        JwtKeys::with_header(
            Algorithm::HS256,
            r#"{"alg":"HS256","typ":"JWT"}"#.to_owned(),
            EncodingKey::from_secret(secret),
            DecodingKey::from_secret(secret),
            None,
        )
    }

    /// Keys for RSASSA-PKCS1-v1_5 with SHA-256 over a `bits`-bit RSA key generated from `seed`
    /// (the same seed always gives the same key); header `{"alg":"RS256","typ":"JWT"}`, with
    /// `"kid":"<kid>"` after `typ` when `kid` is given. Key generation takes a while (about a
    /// second for 2048 bits in a debug build): call it lazily.
    ///
    /// # Errors
    /// [`AuthError::Malformed`] if the key cannot be generated or encoded (a `bits` too small).
    pub fn rs256(seed: [u8; 32], bits: usize, kid: Option<&str>) -> Result<Self, AuthError> {
        let mut chacha = rand_chacha::ChaCha20Rng::from_seed(seed);
        // A stream of its own, so the key does not repeat what the seed gives elsewhere.
        chacha.set_stream(0x5253_4132_3536);
        let private = rsa::RsaPrivateKey::new(&mut KeygenRng(chacha), bits)
            .map_err(|_| AuthError::Malformed("cannot generate an RSA key"))?;
        let der = private
            .to_pkcs1_der()
            .map_err(|_| AuthError::Malformed("cannot encode the RSA key"))?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let decoding = DecodingKey::from_rsa_components(&n, &e)
            .map_err(|_| AuthError::Malformed("cannot encode the RSA key"))?;
        let mut header = r#"{"alg":"RS256","typ":"JWT""#.to_owned();
        let mut jwk = serde_json::Map::new();
        jwk.insert("kty".into(), "RSA".into());
        jwk.insert("alg".into(), "RS256".into());
        jwk.insert("use".into(), "sig".into());
        if let Some(kid) = kid {
            let quoted = serde_json::to_string(kid)
                .map_err(|_| AuthError::Malformed("kid cannot be encoded"))?;
            header.push_str(&format!(r#","kid":{quoted}"#));
            jwk.insert("kid".into(), kid.into());
        }
        header.push('}');
        jwk.insert("n".into(), n.into());
        jwk.insert("e".into(), e.into());
        Ok(JwtKeys::with_header(
            Algorithm::RS256,
            header,
            EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
            Some(serde_json::Value::Object(jwk)),
        ))
    }

    fn with_header(
        algorithm: Algorithm,
        header: String,
        encoding: EncodingKey,
        decoding: DecodingKey,
        public_jwk: Option<serde_json::Value>,
    ) -> Self {
        JwtKeys {
            algorithm,
            header_b64: URL_SAFE_NO_PAD.encode(header.as_bytes()),
            header,
            encoding,
            decoding,
            public_jwk,
        }
    }

    /// The header JSON every token of these keys carries, as its exact bytes.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// RS256 keys: the public key as a JWK (`kty`, `alg`, `use`, `kid` if any, `n`, `e`);
    /// HS256 keys have none (the secret is never shown).
    pub fn public_jwk(&self) -> Option<&serde_json::Value> {
        self.public_jwk.as_ref()
    }

    /// Sign `claims` (serialised in their own field order) under [`JwtKeys::header`].
    ///
    /// # Errors
    /// [`AuthError::Malformed`] if the claims cannot be serialised or signed.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, AuthError> {
        let payload = serde_json::to_vec(claims)
            .map_err(|_| AuthError::Malformed("claims cannot be encoded"))?;
        let mut token = String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + 90);
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let signature =
            jsonwebtoken::crypto::sign(token.as_bytes(), &self.encoding, self.algorithm)
                .map_err(|_| AuthError::Malformed("claims cannot be signed"))?;
        token.push('.');
        token.push_str(&signature);
        Ok(token)
    }

    /// Verify the header's algorithm (only these keys' own), the signature and, when the token
    /// has an `exp` claim, that `exp` is later than `now_secs` (instance clock); then decode the
    /// claims straight into `T`.
    ///
    /// # Errors
    /// [`AuthError::Malformed`] for a token that is not a JWT, [`AuthError::Invalid`] for a
    /// bad signature or another algorithm, [`AuthError::Expired`] once `exp` has passed.
    pub fn verify<T: DeserializeOwned>(&self, token: &str, now_secs: i64) -> Result<T, AuthError> {
        const NOT_JWT: AuthError = AuthError::Malformed("not a JWT");
        let (signed, signature) = token.rsplit_once('.').ok_or(NOT_JWT)?;
        let (header_b64, payload_b64) = signed.split_once('.').ok_or(NOT_JWT)?;
        if payload_b64.contains('.') {
            return Err(NOT_JWT);
        }
        let header = URL_SAFE_NO_PAD.decode(header_b64).map_err(|_| NOT_JWT)?;
        let head: Head<'_> = serde_json::from_slice(&header).map_err(|_| NOT_JWT)?;
        if head.alg != algorithm_name(self.algorithm) {
            return Err(AuthError::Invalid);
        }
        match jsonwebtoken::crypto::verify(
            signature,
            signed.as_bytes(),
            &self.decoding,
            self.algorithm,
        ) {
            Ok(true) => {}
            Ok(false) | Err(_) => return Err(AuthError::Invalid),
        }
        let payload = URL_SAFE_NO_PAD.decode(payload_b64).map_err(|_| NOT_JWT)?;
        let expiry: Expiry = serde_json::from_slice(&payload)
            .map_err(|_| AuthError::Malformed("exp is not a number"))?;
        if expiry.exp.is_some_and(|exp| exp <= now_secs) {
            return Err(AuthError::Expired);
        }
        serde_json::from_slice(&payload).map_err(|_| AuthError::Malformed("unexpected claims"))
    }
}

fn algorithm_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::RS256 => "RS256",
        _ => "HS256",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Claims {
        user_name: String,
        exp: i64,
    }

    fn claims(user_name: &str, exp: i64) -> Claims {
        Claims {
            user_name: user_name.into(),
            exp,
        }
    }

    /// One RSA key for the tests (1024 bits: key generation is slow in debug builds).
    fn rsa_keys() -> &'static JwtKeys {
        static KEYS: OnceLock<JwtKeys> = OnceLock::new();
        KEYS.get_or_init(|| JwtKeys::rs256([3u8; 32], 1024, Some("floto-key-id")).unwrap())
    }

    fn header_of(token: &str) -> String {
        let head = token.split('.').next().unwrap();
        String::from_utf8(URL_SAFE_NO_PAD.decode(head).unwrap()).unwrap()
    }

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        for keys in [&JwtKeys::hs256(b"instance-secret"), rsa_keys()] {
            let token = keys.sign(&claims("tim", 1000)).unwrap();
            let decoded: Claims = keys.verify(&token, 999).unwrap();
            assert_eq!(decoded.user_name, "tim");
            assert_eq!(keys.verify::<Claims>(&token, 1000), Err(AuthError::Expired));
        }
    }

    #[test]
    fn headers_are_written_alg_first_with_the_kid_last() {
        let hs = JwtKeys::hs256(b"k").sign(&claims("x", 1)).unwrap();
        assert_eq!(header_of(&hs), r#"{"alg":"HS256","typ":"JWT"}"#);
        assert!(hs.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
        let rs = rsa_keys().sign(&claims("x", 1)).unwrap();
        assert_eq!(
            header_of(&rs),
            r#"{"alg":"RS256","typ":"JWT","kid":"floto-key-id"}"#
        );
        let no_kid = JwtKeys::rs256([4u8; 32], 1024, None).unwrap();
        assert_eq!(no_kid.header(), r#"{"alg":"RS256","typ":"JWT"}"#);
    }

    #[test]
    fn the_same_seed_gives_the_same_rsa_key() {
        let again = JwtKeys::rs256([3u8; 32], 1024, Some("floto-key-id")).unwrap();
        assert_eq!(again.public_jwk(), rsa_keys().public_jwk());
        let other = JwtKeys::rs256([5u8; 32], 1024, Some("floto-key-id")).unwrap();
        assert_ne!(other.public_jwk(), rsa_keys().public_jwk());
        let token = rsa_keys().sign(&claims("x", 10)).unwrap();
        assert!(again.verify::<Claims>(&token, 0).is_ok());
        assert_eq!(other.verify::<Claims>(&token, 0), Err(AuthError::Invalid));
        let jwk = rsa_keys().public_jwk().unwrap();
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["kid"], "floto-key-id");
        assert_eq!(jwk["e"], "AQAB");
        assert!(JwtKeys::hs256(b"k").public_jwk().is_none());
    }

    #[test]
    fn another_instances_token_is_invalid() {
        let token = JwtKeys::hs256(b"a").sign(&claims("x", 10)).unwrap();
        assert_eq!(
            JwtKeys::hs256(b"b").verify::<Claims>(&token, 0),
            Err(AuthError::Invalid)
        );
    }

    #[test]
    fn alg_none_and_tampered_tokens_are_refused() {
        for keys in [&JwtKeys::hs256(b"k"), rsa_keys()] {
            let none = format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
                URL_SAFE_NO_PAD.encode(r#"{"user_name":"x","exp":99999999999}"#)
            );
            assert_eq!(keys.verify::<Claims>(&none, 0), Err(AuthError::Invalid));
            let token = keys.sign(&claims("x", 10)).unwrap();
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            parts[1] = URL_SAFE_NO_PAD.encode(r#"{"user_name":"admin","exp":10}"#);
            assert_eq!(
                keys.verify::<Claims>(&parts.join("."), 0),
                Err(AuthError::Invalid)
            );
            assert!(keys.verify::<Claims>("garbage", 0).is_err());
            assert!(keys.verify::<Claims>("a.b.c.d", 0).is_err());
            assert!(keys.verify::<Claims>(&format!("{token}.x"), 0).is_err());
        }
    }

    #[test]
    fn an_hs256_token_is_refused_by_rs256_keys_even_when_keyed_with_the_public_key() {
        // The algorithm-confusion attack: HMAC with the RSA public key (as the attacker can
        // read it) as the secret.
        let public = serde_json::to_vec(rsa_keys().public_jwk().unwrap()).unwrap();
        let forged = JwtKeys::hs256(&public).sign(&claims("admin", 10)).unwrap();
        assert_eq!(
            rsa_keys().verify::<Claims>(&forged, 0),
            Err(AuthError::Invalid)
        );
        let rs = rsa_keys().sign(&claims("x", 10)).unwrap();
        assert_eq!(
            JwtKeys::hs256(b"k").verify::<Claims>(&rs, 0),
            Err(AuthError::Invalid)
        );
    }

    #[test]
    fn a_non_numeric_exp_is_malformed() {
        let keys = JwtKeys::hs256(b"k");
        #[derive(Serialize)]
        struct Odd {
            exp: &'static str,
        }
        let token = keys.sign(&Odd { exp: "soon" }).unwrap();
        assert!(matches!(
            keys.verify::<serde_json::Value>(&token, 0),
            Err(AuthError::Malformed(_))
        ));
    }
}
