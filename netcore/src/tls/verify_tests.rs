//! Unit tests of the verifiers: pins, CA chains and both together, on certificates made with
//! rcgen, judged directly (no handshake).

use super::*;
use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};
use std::sync::Mutex;

/// A CA that issues certificates (DER) for `localhost`.
struct Ca {
    issuer: Issuer<'static, KeyPair>,
    der: Vec<u8>,
}

impl Ca {
    /// A CA named `name` (webpki finds issuers by name: two CAs need two names).
    fn new(name: &str) -> Self {
        let key = KeyPair::generate().expect("ring generates P-256 keys");
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let der = params
            .self_signed(&key)
            .expect("self-signing")
            .der()
            .to_vec();
        Self {
            issuer: Issuer::new(params, key),
            der,
        }
    }

    fn roots(&self) -> Arc<RootCertStore> {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from(self.der.clone()))
            .expect("a CA certificate");
        Arc::new(roots)
    }

    fn issue(&self, usage: ExtendedKeyUsagePurpose) -> CertificateDer<'static> {
        let key = KeyPair::generate().expect("ring generates P-256 keys");
        let mut params = CertificateParams::new(vec!["localhost".into()]).expect("a DNS name");
        params.extended_key_usages = vec![usage];
        let cert = params.signed_by(&key, &self.issuer).expect("signing");
        CertificateDer::from(cert.der().to_vec())
    }
}

/// Records the refusals it is told of.
#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<(RefusalKind, [u8; 32])>>);

impl RefusalObserver for Recorder {
    fn refused(&self, refusal: &Refusal<'_>) {
        if let Ok(mut seen) = self.0.lock() {
            seen.push((refusal.kind, refusal.fingerprint));
        }
    }
}

impl Recorder {
    fn seen(&self) -> Vec<(RefusalKind, [u8; 32])> {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

fn server(v: &PinVerifier, cert: &CertificateDer<'static>) -> Result<(), rustls::Error> {
    let name = ServerName::try_from("localhost").expect("a DNS name");
    v.verify_server_cert(cert, &[], &name, &[], UnixTime::now())
        .map(|_| ())
}

fn client(v: &ClientPinVerifier, cert: &CertificateDer<'static>) -> Result<(), rustls::Error> {
    v.verify_client_cert(cert, &[], UnixTime::now()).map(|_| ())
}

#[test]
fn a_verifier_needs_something_to_trust() {
    assert!(matches!(
        PinVerifier::new(None, Vec::new()),
        Err(TrustError::Nothing)
    ));
    assert!(matches!(
        ClientPinVerifier::new(None, Vec::new()),
        Err(TrustError::Nothing)
    ));
}

#[test]
fn pins_accept_exactly_the_pinned_certificate() {
    let ca = Ca::new("cluster");
    let pinned = ca.issue(ExtendedKeyUsagePurpose::ServerAuth);
    let other = ca.issue(ExtendedKeyUsagePurpose::ServerAuth);
    let seen = Arc::new(Recorder::default());
    let v = PinVerifier::pinned(fingerprint(&pinned)).with_observer(seen.clone());
    server(&v, &pinned).expect("pinned");
    let err = server(&v, &other).expect_err("not pinned");
    assert_eq!(RefusalKind::of(&err), RefusalKind::NotPinned);
    assert_eq!(
        seen.seen(),
        vec![(RefusalKind::NotPinned, fingerprint(&other))]
    );
}

#[test]
fn a_ca_accepts_what_it_issued_and_pins_narrow_it() {
    let ca = Ca::new("cluster");
    let issued = ca.issue(ExtendedKeyUsagePurpose::ServerAuth);
    let foreign = Ca::new("other").issue(ExtendedKeyUsagePurpose::ServerAuth);
    let seen = Arc::new(Recorder::default());
    let v = PinVerifier::new(Some(ca.roots()), Vec::new())
        .expect("roots")
        .with_observer(seen.clone());
    server(&v, &issued).expect("issued by the CA");
    let err = server(&v, &foreign).expect_err("another CA");
    assert_eq!(RefusalKind::of(&err), RefusalKind::UnknownCa);

    let also_issued = ca.issue(ExtendedKeyUsagePurpose::ServerAuth);
    let both = PinVerifier::new(Some(ca.roots()), vec![fingerprint(&issued)]).expect("roots");
    server(&both, &issued).expect("issued and pinned");
    let err = server(&both, &also_issued).expect_err("issued but not pinned");
    assert_eq!(RefusalKind::of(&err), RefusalKind::NotPinned);
    assert_eq!(
        seen.seen(),
        vec![(RefusalKind::UnknownCa, fingerprint(&foreign))]
    );
}

#[test]
fn client_certificates_are_required_and_judged_alike() {
    let ca = Ca::new("cluster");
    let edge = ca.issue(ExtendedKeyUsagePurpose::ClientAuth);
    let foreign = Ca::new("other").issue(ExtendedKeyUsagePurpose::ClientAuth);
    let seen = Arc::new(Recorder::default());
    let v = ClientPinVerifier::new(Some(ca.roots()), Vec::new())
        .expect("roots")
        .with_observer(seen.clone());
    assert!(v.offer_client_auth() && v.client_auth_mandatory());
    assert_eq!(v.root_hint_subjects().len(), 1);
    client(&v, &edge).expect("issued by the CA");
    let err = client(&v, &foreign).expect_err("another CA");
    assert_eq!(RefusalKind::of(&err), RefusalKind::UnknownCa);

    let pinned = ClientPinVerifier::new(None, vec![fingerprint(&edge)]).expect("a pin");
    assert!(pinned.root_hint_subjects().is_empty());
    client(&pinned, &edge).expect("pinned");
    let err = client(&pinned, &foreign).expect_err("not pinned");
    assert_eq!(RefusalKind::of(&err), RefusalKind::NotPinned);
    assert_eq!(seen.seen().len(), 1);
}

#[test]
fn refusal_kinds_follow_the_error() {
    assert_eq!(
        RefusalKind::of(&rustls::Error::NoCertificatesPresented),
        RefusalKind::NoCertificate
    );
    assert_eq!(
        RefusalKind::of(&rustls::Error::InvalidCertificate(
            CertificateError::Expired
        )),
        RefusalKind::BadCertificate
    );
}

#[test]
fn an_unreadable_ca_file_names_its_field() {
    let err =
        load_roots(Path::new("/nonexistent/starlane/ca.pem"), "link.ca_file").expect_err("missing");
    assert!(
        matches!(
            err,
            RootsError::Certs(CertFileError::Read {
                field: "link.ca_file",
                ..
            })
        ),
        "{err}"
    );
}
