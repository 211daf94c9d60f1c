//! A set of verification keys read from one document: a PEM public key (one key, no `kid`)
//! or a JWKS (`{"keys": [...]}`, each P-256 key by its `kid`), and the rule by which a token's
//! header `kid` selects one.

use super::KeyError;
use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The keys of one document.
#[derive(Clone, Default)]
pub struct KeySet {
    /// Keys named by a `kid`.
    named: HashMap<String, Arc<DecodingKey>>,
    /// The key without a `kid` (a PEM document's, or a JWKS entry without one).
    unnamed: Option<Arc<DecodingKey>>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("kids", &self.kids())
            .field("unnamed", &self.unnamed.is_some())
            .finish()
    }
}

/// One JWKS entry; members other than these are ignored (RFC 7517 §4).
#[derive(Debug, Deserialize)]
struct Jwk {
    kty: String,
    crv: Option<String>,
    kid: Option<String>,
    x: Option<String>,
    y: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    alg: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Jwks {
    keys: Vec<serde_json::Value>,
}

impl KeySet {
    /// Read a PEM public key or, if the document is a JSON object, a JWKS. Entries that are
    /// not ES256 signing keys (another `kty`, curve, `alg` or `use`) are skipped; a JWKS
    /// without one usable key is an error, as is a malformed usable one.
    pub fn parse(document: &str) -> Result<Self, KeyError> {
        if document.trim_start().starts_with('{') {
            Self::from_jwks(document)
        } else {
            Self::from_pem(document.as_bytes())
        }
    }

    /// A set holding the one key of a PEM document, without a `kid`.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        Ok(Self {
            named: HashMap::new(),
            unnamed: Some(Arc::new(DecodingKey::from_ec_pem(pem)?)),
        })
    }

    fn from_jwks(json: &str) -> Result<Self, KeyError> {
        let doc: Jwks = serde_json::from_str(json).map_err(|e| KeyError::Jwks(e.to_string()))?;
        let mut set = Self::default();
        for entry in doc.keys {
            // An entry of another shape (e.g. an RSA key's members) is not ours to judge.
            let Ok(jwk) = serde_json::from_value::<Jwk>(entry) else {
                continue;
            };
            let Some(key) = es256_key(&jwk)? else {
                continue;
            };
            match jwk.kid {
                Some(kid) => {
                    if set.named.insert(kid.clone(), key).is_some() {
                        return Err(KeyError::Jwks(format!("kid {kid:?} appears twice")));
                    }
                }
                None if set.unnamed.is_some() => {
                    return Err(KeyError::Jwks("two keys without a kid".into()));
                }
                None => set.unnamed = Some(key),
            }
        }
        if set.is_empty() {
            return Err(KeyError::Jwks(
                "no EC P-256 signing key (kty \"EC\", crv \"P-256\") in \"keys\"".into(),
            ));
        }
        Ok(set)
    }

    /// The key a token whose header names `kid` is verified with:
    /// * a `kid`: the key with that `kid`; if the set names no key at all (a PEM document),
    ///   its one key, as before key rotation existed;
    /// * no `kid`: the key without one, or the set's only key.
    pub fn select(&self, kid: Option<&str>) -> Option<Arc<DecodingKey>> {
        match kid {
            Some(_) if self.named.is_empty() => self.unnamed.clone(),
            Some(kid) => self.named.get(kid).cloned(),
            None => self.unnamed.clone().or_else(|| {
                let mut keys = self.named.values();
                match (keys.next(), keys.next()) {
                    (Some(only), None) => Some(only.clone()),
                    _ => None,
                }
            }),
        }
    }

    /// The `kid`s of the named keys, sorted.
    pub fn kids(&self) -> Vec<String> {
        let mut kids: Vec<String> = self.named.keys().cloned().collect();
        kids.sort();
        kids
    }

    /// Whether the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.named.is_empty() && self.unnamed.is_none()
    }
}

/// The verification key of an ES256 entry; `None` for entries of other kinds.
fn es256_key(jwk: &Jwk) -> Result<Option<Arc<DecodingKey>>, KeyError> {
    let signing = jwk.usage.as_deref().is_none_or(|u| u == "sig");
    let es256 = jwk.alg.as_deref().is_none_or(|a| a == "ES256");
    if jwk.kty != "EC" || jwk.crv.as_deref() != Some("P-256") || !signing || !es256 {
        return Ok(None);
    }
    let name = jwk.kid.as_deref().unwrap_or("(no kid)");
    let bad = |why: &str| KeyError::Jwks(format!("key {name}: {why}"));
    let (Some(x), Some(y)) = (&jwk.x, &jwk.y) else {
        return Err(bad("x or y missing"));
    };
    let key = DecodingKey::from_ec_components(x, y).map_err(|_| bad("x or y is not base64url"))?;
    // The components must be a point of the curve (which also fixes their lengths).
    let point = key.try_get_as_bytes().map_err(|e| bad(&e.to_string()))?;
    p256::PublicKey::from_sec1_bytes(point).map_err(|_| bad("not a P-256 point"))?;
    Ok(Some(Arc::new(key)))
}
