//! Sprig's key and certificate generators (`genPrivateKey`, `genCA`, `genSelfSignedCert`,
//! `genSignedCert`, their `…WithKey` forms, `buildCustomCert`): RSA keys, X.509 v3 certificates
//! written in DER by hand with the fields Sprig's template sets, signed with SHA-256/RSA.

use super::{FuncMap, Ty, arg_int, arg_str, s};
use crate::value::{Map, Value, read};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey};

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn int_bytes(b: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = b.iter().copied().skip_while(|x| *x == 0).collect();
    if v.is_empty() || v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut chunk = vec![(a & 0x7f) as u8];
        let mut v = a >> 7;
        while v > 0 {
            chunk.insert(0, 0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        body.extend(chunk);
    }
    tlv(0x06, &body)
}

fn name(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return seq(&[]);
    }
    let printable = cn
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c));
    let value = tlv(if printable { 0x13 } else { 0x0c }, cn.as_bytes());
    seq(&[tlv(0x31, &seq(&[oid(&[2, 5, 4, 3]), value]))])
}

fn time(secs: i64) -> Vec<u8> {
    let t = super::date::GoTime::utc(secs, 0);
    let year: i64 = t.format("2006").parse().unwrap_or(1970);
    if (1950..2050).contains(&year) {
        tlv(0x17, t.format("060102150405Z").as_bytes())
    } else {
        tlv(0x18, t.format("20060102150405Z").as_bytes())
    }
}

fn extension(id: &[u64], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(tlv(0x01, &[0xff]));
    }
    parts.push(tlv(0x04, &value));
    seq(&parts)
}

fn sha256(b: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(b).to_vec()
}

struct Subject {
    cn: String,
    ips: Vec<Vec<u8>>,
    dns: Vec<String>,
    days: i64,
    is_ca: bool,
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A private key Sprig's `…WithKey` functions and certificates take: RSA, ECDSA on P-256
/// (what `genPrivateKey "ecdsa"` makes) or Ed25519.
#[derive(Clone)]
enum Key {
    Rsa(RsaPrivateKey),
    P256(p256::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
}

const OID_EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10045, 2, 1];
const OID_P256: &[u64] = &[1, 2, 840, 10045, 3, 1, 7];
const OID_ED25519: &[u64] = &[1, 3, 101, 112];

impl Key {
    /// The subjectPublicKey BIT STRING's content (without its unused-bits byte).
    fn public_bits(&self) -> Result<Vec<u8>, String> {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        match self {
            Key::Rsa(k) => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                let der = k
                    .to_public_key()
                    .to_pkcs1_der()
                    .map_err(|e| e.to_string())?;
                Ok(der.as_bytes().to_vec())
            }
            Key::P256(k) => Ok(k.public_key().to_encoded_point(false).as_bytes().to_vec()),
            Key::Ed25519(k) => Ok(k.verifying_key().to_bytes().to_vec()),
        }
    }

    /// SubjectPublicKeyInfo.
    fn spki(&self) -> Result<Vec<u8>, String> {
        let alg = match self {
            Key::Rsa(_) => seq(&[oid(&[1, 2, 840, 113549, 1, 1, 1]), tlv(0x05, &[])]),
            Key::P256(_) => seq(&[oid(OID_EC_PUBLIC_KEY), oid(OID_P256)]),
            Key::Ed25519(_) => seq(&[oid(OID_ED25519)]),
        };
        let mut bits = vec![0u8];
        bits.extend(self.public_bits()?);
        Ok(seq(&[alg, tlv(0x03, &bits)]))
    }

    /// The signature AlgorithmIdentifier Go picks for this key: SHA-256 with RSA or ECDSA,
    /// pure Ed25519.
    fn signature_algorithm(&self) -> Vec<u8> {
        match self {
            Key::Rsa(_) => seq(&[oid(&[1, 2, 840, 113549, 1, 1, 11]), tlv(0x05, &[])]),
            Key::P256(_) => seq(&[oid(&[1, 2, 840, 10045, 4, 3, 2])]),
            Key::Ed25519(_) => seq(&[oid(OID_ED25519)]),
        }
    }

    fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            Key::Rsa(k) => {
                let mut digest_info = vec![
                    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                    0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
                ];
                digest_info.extend(sha256(tbs));
                k.sign(Pkcs1v15Sign::new_unprefixed(), &digest_info)
                    .map_err(|e| e.to_string())
            }
            Key::P256(k) => {
                use p256::ecdsa::signature::Signer;
                let sig: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k).sign(tbs);
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Key::Ed25519(k) => {
                use ed25519_dalek::Signer;
                Ok(k.sign(tbs).to_bytes().to_vec())
            }
        }
    }

    /// The key as Sprig returns it beside a certificate: PKCS#1 for RSA, SEC 1 for ECDSA,
    /// PKCS#8 for Ed25519.
    fn pem(&self) -> Result<String, String> {
        match self {
            Key::Rsa(k) => k
                .to_pkcs1_der()
                .map(|d| pem("RSA PRIVATE KEY", d.as_bytes()))
                .map_err(|e| e.to_string()),
            Key::P256(k) => Ok(pem("EC PRIVATE KEY", &p256_sec1(k))),
            Key::Ed25519(k) => Ok(pem("PRIVATE KEY", &ed25519_pkcs8(&k.to_bytes()))),
        }
    }
}

/// The subject key identifier, as Go (1.25 and later, which builds Helm 4) computes it:
/// the first 160 bits of the SHA-256 of the public key bits, RFC 7093's method 1.
fn key_id(key: &Key) -> Result<Vec<u8>, String> {
    Ok(sha256(&key.public_bits()?)[..20].to_vec())
}

/// `authority_key_id`: the issuer certificate's subject key identifier, which Go's
/// `x509.CreateCertificate` copies into a certificate whose issuer is not itself.
fn sign_cert(
    subj: &Subject,
    key: &Key,
    issuer_cn: &str,
    issuer_key: &Key,
    authority_key_id: Option<&[u8]>,
) -> Result<String, String> {
    use rand_core::RngCore;
    let mut serial = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut serial);
    let now = super::date::GoTime::now().secs;
    let alg = issuer_key.signature_algorithm();
    let pub_der = key.spki()?;
    let key_usage = if subj.is_ca {
        [0x02, 0xa4]
    } else {
        [0x05, 0xa0]
    };
    let mut exts = vec![
        extension(&[2, 5, 29, 15], true, tlv(0x03, &key_usage)),
        extension(
            &[2, 5, 29, 37],
            false,
            seq(&[
                oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]),
                oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]),
            ]),
        ),
        extension(
            &[2, 5, 29, 19],
            true,
            if subj.is_ca {
                seq(&[tlv(0x01, &[0xff])])
            } else {
                seq(&[])
            },
        ),
    ];
    if subj.is_ca {
        exts.push(extension(&[2, 5, 29, 14], false, tlv(0x04, &key_id(key)?)));
    }
    if let Some(id) = authority_key_id.filter(|_| issuer_cn != subj.cn) {
        exts.push(extension(&[2, 5, 29, 35], false, seq(&[tlv(0x80, id)])));
    }
    if !subj.ips.is_empty() || !subj.dns.is_empty() {
        let mut names: Vec<Vec<u8>> = subj.dns.iter().map(|d| tlv(0x82, d.as_bytes())).collect();
        names.extend(subj.ips.iter().map(|ip| tlv(0x87, ip)));
        exts.push(extension(&[2, 5, 29, 17], false, seq(&names)));
    }
    let tbs = seq(&[
        tlv(0xa0, &int_bytes(&[2])),
        int_bytes(&serial),
        alg.clone(),
        name(issuer_cn),
        seq(&[time(now), time(now + subj.days * 86400)]),
        name(&subj.cn),
        pub_der,
        tlv(0xa3, &seq(&exts)),
    ]);
    let sig = issuer_key.sign(&tbs)?;
    let mut bits = vec![0u8];
    bits.extend(sig);
    let cert = seq(&[tbs, alg, tlv(0x03, &bits)]);
    Ok(pem("CERTIFICATE", &cert))
}

/// A new two-prime RSA key of `bits` bits with exponent 65537 (what Go's `rsa.GenerateKey`
/// makes), its primes from our own faster search (`primes`).
fn new_key(bits: usize) -> Result<RsaPrivateKey, String> {
    let mut rng = rand_core::OsRng;
    let mut last = None;
    // A draw fails when 65537 divides p-1 or q-1 (about once in 30,000): draw again, as Go does.
    for _ in 0..16 {
        // The two searches are independent: q is found on a second thread meanwhile.
        let (p, q) = std::thread::scope(|s| {
            let q = s.spawn(|| super::primes::random_prime(bits / 2, &mut rand_core::OsRng));
            let p = super::primes::random_prime(bits.div_ceil(2), &mut rng);
            (p, q.join().expect("prime search thread"))
        });
        if p == q || (&p * &q).bits() != bits {
            continue;
        }
        match RsaPrivateKey::from_primes(vec![p, q], rsa::BigUint::from(65537u32)) {
            Ok(key) => return Ok(key),
            Err(e) => last = Some(e),
        }
    }
    Err(format!(
        "error generating RSA key: {}",
        last.map_or_else(|| "no distinct primes found".to_string(), |e| e.to_string())
    ))
}

/// Sprig's `parsePrivateKeyPEM`: the first PEM block, by its type (`PRIVATE KEY` is
/// PKCS#8, `RSA`/`EC … PRIVATE KEY` PKCS#1/SEC 1); `Err` carries Sprig's reason, `None`
/// is a DSA key, which Sprig reads but Go cannot sign with.
fn parse_key(pem_text: &str) -> Result<Option<Key>, String> {
    let Some((label, der)) = first_pem_block(pem_text) else {
        return Err("no PEM data in input".into());
    };
    let key = match label.as_str() {
        "PRIVATE KEY" => parse_pkcs8(&der).map_err(|e| format!("decoding PEM as PKCS#8: {e}")),
        "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_der(&der)
            .map(Key::Rsa)
            .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
        "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&der)
            .map(Key::P256)
            .map_err(|_| "parsing EC private key from PEM: x509: unknown elliptic curve".into()),
        "DSA PRIVATE KEY" => return Ok(None),
        l if l.ends_with(" PRIVATE KEY") => Err(format!("invalid private key type {l}")),
        l => Err(format!("no private key data in PEM block of type {l}")),
    };
    key.map(Some)
}

/// What Go's `x509.CreateCertificate` says of a key it cannot sign with.
const NOT_A_SIGNER: &str =
    "error creating certificate: x509: certificate private key does not implement crypto.Signer";

/// The key argument of a `…WithKey` function, with Sprig's messages.
fn given_key(v: &Value) -> Result<Key, String> {
    parse_key(arg_str(v))
        .map_err(|e| format!("parsing private key: {e}"))?
        .ok_or_else(|| NOT_A_SIGNER.to_string())
}

/// A PKCS#8 key of a type this module signs with.
fn parse_pkcs8(der: &[u8]) -> Result<Key, String> {
    use rsa::pkcs8::DecodePrivateKey as _;
    if let Ok(k) = RsaPrivateKey::from_pkcs8_der(der) {
        return Ok(Key::Rsa(k));
    }
    if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
        return Ok(Key::P256(k));
    }
    // Ed25519: SEQUENCE { 0, SEQUENCE { 1.3.101.112 }, OCTET STRING { OCTET STRING seed } },
    // exactly what `ed25519_pkcs8` writes around the seed.
    let header = &ed25519_pkcs8(&[0; 32])[..16];
    if der.len() == 48 && der.starts_with(header) {
        let seed: [u8; 32] = der[16..].try_into().map_err(|_| "bad Ed25519 seed")?;
        return Ok(Key::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed)));
    }
    Err("x509: unknown private key type".into())
}

/// The first `-----BEGIN X-----` block: its label and decoded body.
fn first_pem_block(text: &str) -> Option<(String, Vec<u8>)> {
    use base64::Engine;
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let label = rest[..rest.find("-----")?].to_string();
    let body_start = rest.find('\n')? + 1;
    let end = rest.find(&format!("-----END {label}-----"))?;
    let body: String = rest[body_start..end].split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    Some((label, der))
}

/// An Ed25519 key in PKCS#8 (the 32-byte seed only), as Go's `MarshalPKCS8PrivateKey`
/// writes it.
fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    seq(&[
        int_bytes(&[0]),
        seq(&[oid(OID_ED25519)]),
        tlv(0x04, &tlv(0x04, seed)),
    ])
}

fn new_ed25519_seed() -> [u8; 32] {
    use rand_core::RngCore;
    let mut seed = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut seed);
    seed
}

/// A P-256 key as SEC 1 `ECPrivateKey`, as Go's `MarshalECPrivateKey` writes it: version 1,
/// the 32-byte scalar, the curve's OID (`[0]`) and the uncompressed public point (`[1]`).
fn p256_sec1(key: &p256::SecretKey) -> Vec<u8> {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let point = key.public_key().to_encoded_point(false);
    let mut bits = vec![0u8];
    bits.extend_from_slice(point.as_bytes());
    seq(&[
        int_bytes(&[1]),
        tlv(0x04, &key.to_bytes()),
        tlv(0xa0, &oid(OID_P256)),
        tlv(0xa1, &tlv(0x03, &bits)),
    ])
}

/// A new DSA key (L=2048, N=256, as Sprig asks for) in OpenSSL's `DSA PRIVATE KEY` layout,
/// which is what Sprig marshals: `SEQUENCE { 0, P, Q, G, Y, X }`.
fn dsa_der() -> Vec<u8> {
    let mut rng = rand_core::OsRng;
    let components = dsa::Components::generate(&mut rng, dsa::KeySize::DSA_2048_256);
    let key = dsa::SigningKey::generate(&mut rng, components);
    let public = key.verifying_key();
    let c = public.components();
    seq(&[
        int_bytes(&[0]),
        int_bytes(&c.p().to_bytes_be()),
        int_bytes(&c.q().to_bytes_be()),
        int_bytes(&c.g().to_bytes_be()),
        int_bytes(&public.y().to_bytes_be()),
        int_bytes(&key.x().to_bytes_be()),
    ])
}

fn certificate(cert: String, key: String) -> Value {
    let mut m = Map::new();
    m.insert("Cert".into(), s(cert));
    m.insert("Key".into(), s(key));
    Value::map(m)
}

fn parse_ip(s: &str) -> Result<Vec<u8>, String> {
    if let Ok(v4) = s.parse::<std::net::Ipv4Addr>() {
        return Ok(v4.octets().to_vec());
    }
    if let Ok(v6) = s.parse::<std::net::Ipv6Addr>() {
        return Ok(v6.octets().to_vec());
    }
    Err(format!("error parsing ip: {s}"))
}

fn subject(a: &[Value], is_ca: bool) -> Result<Subject, String> {
    let list = |v: &Value| -> Vec<String> {
        v.list_items()
            .unwrap_or_default()
            .iter()
            .map(super::strval)
            .collect()
    };
    let mut ips = Vec::new();
    for ip in list(&a[1]) {
        ips.push(parse_ip(&ip)?);
    }
    Ok(Subject {
        cn: arg_str(&a[0]).to_string(),
        ips,
        dns: list(&a[2]),
        days: arg_int(&a[3]),
        is_ca,
    })
}

/// The CA's common name, key and subject key identifier (if its certificate has one).
fn ca_parts(v: &Value) -> Result<(String, Key, Option<Vec<u8>>), String> {
    let Value::Map(m) = v else {
        return Err("the CA must be a certificate made by genCA".into());
    };
    let m = read(m);
    let cert = m.get("Cert").map(super::strval).unwrap_or_default();
    let key = m.get("Key").map(super::strval).unwrap_or_default();
    // The issuer name is the CA's subject: read its CN back from our own encoding.
    let cn = ca_common_name(&cert).unwrap_or_default();
    let key = parse_key(&key)
        .map_err(|e| format!("error parsing private key: {e}"))?
        .ok_or_else(|| NOT_A_SIGNER.to_string())?;
    Ok((cn, key, subject_key_id(&cert)))
}

fn pem_body(cert_pem: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let body: String = cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

/// Where the encoding of a three-byte OID (`2.5.4.x` names, `2.5.29.x` extensions) first
/// or last occurs in `der`, as the offset just past it. Our certificates are our own simple
/// encoding, so a byte search finds the one place each OID is used.
fn after_oid(der: &[u8], oid: [u8; 3], last: bool) -> Option<usize> {
    let pat = [0x06, 0x03, oid[0], oid[1], oid[2]];
    let mut hits = der.windows(5).enumerate().filter(|(_, w)| *w == pat);
    let (i, _) = if last {
        hits.next_back()?
    } else {
        hits.next()?
    };
    Some(i + pat.len())
}

/// The subjectKeyIdentifier extension's key id: after its OID, an optional `critical`
/// BOOLEAN, then an OCTET STRING holding the DER of an OCTET STRING.
fn subject_key_id(cert_pem: &str) -> Option<Vec<u8>> {
    let der = pem_body(cert_pem)?;
    let mut pos = after_oid(&der, [0x55, 0x1d, 0x0e], false)?;
    if der.get(pos) == Some(&0x01) {
        pos += 3;
    }
    let (outer, inner_len) = (der.get(pos..pos + 4)?, *der.get(pos + 3)? as usize);
    if outer[0] != 0x04 || outer[2] != 0x04 || inner_len >= 0x80 {
        return None;
    }
    der.get(pos + 4..pos + 4 + inner_len).map(<[u8]>::to_vec)
}

fn ca_common_name(cert_pem: &str) -> Option<String> {
    let der = pem_body(cert_pem)?;
    // The last commonName attribute (the subject comes after the issuer).
    let pos = after_oid(&der, [0x55, 0x04, 0x03], true)?;
    let len = *der.get(pos + 1)? as usize;
    der.get(pos + 2..pos + 2 + len)
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    m.pure("genPrivateKey", &[Str], None, |a| match arg_str(&a[0]) {
        "" | "rsa" => Key::Rsa(new_key(4096)?).pem().map(s),
        "ed25519" => Ok(s(pem("PRIVATE KEY", &ed25519_pkcs8(&new_ed25519_seed())))),
        "ecdsa" => Ok(s(pem(
            "EC PRIVATE KEY",
            &p256_sec1(&p256::SecretKey::random(&mut rand_core::OsRng)),
        ))),
        "dsa" => Ok(s(pem("DSA PRIVATE KEY", &dsa_der()))),
        t => Ok(s(format!("Unknown type {t}"))),
    });
    m.pure("genCA", &[Str, Int], None, |a| {
        let key = Key::Rsa(new_key(2048)?);
        gen_ca(&a, key)
    });
    m.pure("genCAWithKey", &[Str, Int, Str], None, |a| {
        gen_ca(&a, given_key(&a[2])?)
    });
    m.pure("genSelfSignedCert", &[Str, List, List, Int], None, |a| {
        let key = Key::Rsa(new_key(2048)?);
        self_signed(&a, key)
    });
    m.pure(
        "genSelfSignedCertWithKey",
        &[Str, List, List, Int, Str],
        None,
        |a| self_signed(&a, given_key(&a[4])?),
    );
    m.pure("genSignedCert", &[Str, List, List, Int, Any], None, |a| {
        let key = Key::Rsa(new_key(2048)?);
        signed(&a, key)
    });
    m.pure(
        "genSignedCertWithKey",
        &[Str, List, List, Int, Any, Str],
        None,
        |a| signed(&a, given_key(&a[5])?),
    );
    m.pure("buildCustomCert", &[Str, Str], None, |a| {
        use base64::Engine;
        let dec = |v: &Value, what: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(arg_str(v))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|_| format!("unable to decode base64 {what}"))
        };
        let cert = dec(&a[0], "certificate")?;
        let key = dec(&a[1], "private key")?;
        if !cert.contains("-----BEGIN ") {
            return Err("unable to decode certificate".into());
        }
        if !key.contains("-----BEGIN ") {
            return Err("error parsing private key: no PEM data in input".into());
        }
        Ok(certificate(cert, key))
    });
}

fn gen_ca(a: &[Value], key: Key) -> Result<Value, String> {
    let subj = Subject {
        cn: arg_str(&a[0]).to_string(),
        ips: Vec::new(),
        dns: Vec::new(),
        days: arg_int(&a[1]),
        is_ca: true,
    };
    let cert = sign_cert(&subj, &key, &subj.cn, &key, None)?;
    Ok(certificate(cert, key.pem()?))
}

fn self_signed(a: &[Value], key: Key) -> Result<Value, String> {
    let subj = subject(a, false)?;
    let cert = sign_cert(&subj, &key, &subj.cn, &key, None)?;
    Ok(certificate(cert, key.pem()?))
}

fn signed(a: &[Value], key: Key) -> Result<Value, String> {
    let subj = subject(a, false)?;
    let (issuer_cn, ca_key, ca_key_id) = ca_parts(&a[4])?;
    let cert = sign_cert(&subj, &key, &issuer_cn, &ca_key, ca_key_id.as_deref())?;
    Ok(certificate(cert, key.pem()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_key() -> Key {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/gotemplate/crypto/certs_with_key.json"
        );
        let data: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("key file")).expect("json");
        parse_key(data["key"].as_str().expect("key"))
            .expect("parses")
            .expect("rsa key")
    }

    fn cert_of(v: &Value) -> String {
        let Value::Map(m) = v else {
            panic!("not a map")
        };
        super::super::strval(read(m).get("Cert").expect("Cert"))
    }

    /// As Go's `x509.CreateCertificate`: a certificate signed by a CA carries the CA's
    /// subject key id as its authority key id; a self-issued one carries none.
    #[test]
    fn a_signed_certificate_names_its_issuers_key() {
        let key = test_key();
        let ca = gen_ca(&[Value::str("my-ca"), Value::Int(10)], key.clone()).expect("ca");
        let ca_cert = cert_of(&ca);
        let ski = subject_key_id(&ca_cert).expect("the CA has a subject key id");
        // What helm v4.3.1's genCAWithKey writes for this key (Go's truncated SHA-256).
        assert_eq!(
            hex::encode_upper(&ski),
            "E84AD14BFD0B51C53E6AC8D00290C8401AAC435B"
        );
        let args = [
            Value::str("svc"),
            Value::Nil,
            Value::Nil,
            Value::Int(5),
            ca.clone(),
        ];
        let leaf = pem_body(&cert_of(&signed(&args, key.clone()).expect("leaf"))).expect("der");
        let mut want = vec![
            0x06,
            0x03,
            0x55,
            0x1d,
            0x23,
            0x04,
            ski.len() as u8 + 4,
            0x30,
        ];
        want.extend([ski.len() as u8 + 2, 0x80, ski.len() as u8]);
        want.extend(&ski);
        assert!(leaf.windows(want.len()).any(|w| w == want));
        let self_args = [Value::str("self"), Value::Nil, Value::Nil, Value::Int(5)];
        let own = pem_body(&cert_of(&self_signed(&self_args, key).expect("self"))).expect("der");
        assert!(after_oid(&own, [0x55, 0x1d, 0x23], false).is_none());
        let ca_der = pem_body(&ca_cert).expect("der");
        assert!(after_oid(&ca_der, [0x55, 0x1d, 0x23], false).is_none());
    }
}

#[cfg(test)]
mod key_type_tests {
    use super::*;

    /// The TLVs inside a DER SEQUENCE (whole, header included).
    fn children(der: &[u8]) -> Vec<&[u8]> {
        let (mut body, mut out) = (&der[header_len(der)..], Vec::new());
        while !body.is_empty() {
            let n = header_len(body) + content_len(body);
            out.push(&body[..n]);
            body = &body[n..];
        }
        out
    }

    fn header_len(tlv: &[u8]) -> usize {
        if tlv[1] < 0x80 {
            2
        } else {
            2 + (tlv[1] & 0x7f) as usize
        }
    }

    fn content_len(tlv: &[u8]) -> usize {
        if tlv[1] < 0x80 {
            return tlv[1] as usize;
        }
        tlv[2..header_len(tlv)]
            .iter()
            .fold(0, |n, b| n * 256 + *b as usize)
    }

    fn cert_parts(cert: &Value) -> (Vec<u8>, Vec<u8>) {
        let Value::Map(m) = cert else {
            panic!("not a certificate")
        };
        let der = pem_body(&super::super::strval(read(m).get("Cert").expect("Cert"))).expect("pem");
        let parts = children(&der);
        let sig = parts[2];
        (parts[0].to_vec(), sig[header_len(sig) + 1..].to_vec())
    }

    /// Certificates signed with ECDSA and Ed25519 keys verify with the CA's public key, and
    /// the key given comes back as Sprig marshals it.
    #[test]
    fn ecdsa_and_ed25519_keys_sign_certificates() {
        use p256::ecdsa::signature::Verifier;
        let ec = p256::SecretKey::random(&mut rand_core::OsRng);
        let ec_pem = pem("EC PRIVATE KEY", &p256_sec1(&ec));
        let ca = gen_ca(
            &[Value::str("ec-ca"), Value::Int(3)],
            given_key(&Value::str(ec_pem.as_str())).unwrap(),
        )
        .expect("ca");
        let (tbs, sig) = cert_parts(&ca);
        let sig = p256::ecdsa::Signature::from_der(&sig).expect("DER signature");
        p256::ecdsa::VerifyingKey::from(ec.public_key())
            .verify(&tbs, &sig)
            .expect("the CA signed itself");
        let Value::Map(m) = &ca else { unreachable!() };
        assert_eq!(super::super::strval(read(m).get("Key").unwrap()), ec_pem);

        let seed = new_ed25519_seed();
        let ed_pem = pem("PRIVATE KEY", &ed25519_pkcs8(&seed));
        let ed_ca = gen_ca(
            &[Value::str("ed-ca"), Value::Int(3)],
            given_key(&Value::str(ed_pem.as_str())).unwrap(),
        )
        .expect("ca");
        let leaf_args = [
            Value::str("leaf"),
            Value::Nil,
            Value::Nil,
            Value::Int(3),
            ed_ca,
        ];
        let leaf = signed(&leaf_args, Key::P256(ec)).expect("leaf");
        let (tbs, sig) = cert_parts(&leaf);
        let verifying = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        verifying
            .verify_strict(&tbs, &ed25519_dalek::Signature::from_slice(&sig).unwrap())
            .expect("the Ed25519 CA signed the leaf");
    }

    #[test]
    fn unusable_keys_fail_in_sprigs_words() {
        let dsa = pem("DSA PRIVATE KEY", &[0x30, 0x00]);
        assert_eq!(
            given_key(&Value::str(dsa.as_str())).err().unwrap(),
            NOT_A_SIGNER
        );
        let other = pem("CERTIFICATE", &[0x30, 0x00]);
        assert_eq!(
            given_key(&Value::str(other.as_str())).err().unwrap(),
            "parsing private key: no private key data in PEM block of type CERTIFICATE"
        );
    }
}
