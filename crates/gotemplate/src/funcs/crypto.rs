//! Sprig's hashes and random helpers.

use super::{FuncMap, Ty, arg_int, arg_str, s};
use base64::Engine;

/// Functions newer Sprig versions (as shipped in Helm) add.
pub fn register_newer(m: &mut FuncMap) {
    m.pure("sha512sum", &[Ty::Str], None, |a| {
        use sha2::Digest;
        Ok(s(hex::encode(sha2::Sha512::digest(
            crate::gobytes::go_bytes(arg_str(&a[0])),
        ))))
    });
}

pub fn register(m: &mut FuncMap) {
    use Ty::*;
    register_unsupported(m);
    m.pure("bcrypt", &[Str], None, |a| {
        Ok(s(bcrypt_random(arg_str(&a[0]))))
    });
    m.pure("htpasswd", &[Str, Str], None, |a| {
        let user = arg_str(&a[0]);
        if user.contains(':') {
            return Ok(s(format!("invalid username: {user}")));
        }
        Ok(s(format!("{user}:{}", bcrypt_random(arg_str(&a[1])))))
    });
    m.pure("encryptAES", &[Str, Str], None, |a| {
        Ok(s(encrypt_aes(arg_str(&a[0]), arg_str(&a[1]))))
    });
    m.pure("decryptAES", &[Str, Str], None, |a| {
        decrypt_aes(arg_str(&a[0]), arg_str(&a[1])).map(s)
    });
    m.pure("sha1sum", &[Str], None, |a| {
        use sha1::Digest;
        Ok(s(hex::encode(sha1::Sha1::digest(
            crate::gobytes::go_bytes(arg_str(&a[0])),
        ))))
    });
    m.pure("sha256sum", &[Str], None, |a| {
        use sha2::Digest;
        Ok(s(hex::encode(sha2::Sha256::digest(
            crate::gobytes::go_bytes(arg_str(&a[0])),
        ))))
    });
    m.pure("adler32sum", &[Str], None, |a| {
        Ok(s(
            adler32(&crate::gobytes::go_bytes(arg_str(&a[0]))).to_string()
        ))
    });
    m.pure("derivePassword", &[Uint32, Str, Str, Str, Str], None, |a| {
        Ok(s(derive_password(
            arg_int(&a[0]) as u32,
            arg_str(&a[1]),
            arg_str(&a[2]),
            arg_str(&a[3]),
            arg_str(&a[4]),
        )))
    });
    m.pure("randBytes", &[Int], None, |a| {
        use rand::RngExt;
        let n = arg_int(&a[0]).clamp(0, 1 << 20) as usize;
        let mut r = rand::rng();
        let b: Vec<u8> = (0..n).map(|_| r.random()).collect();
        Ok(s(base64::engine::general_purpose::STANDARD.encode(b)))
    });
}

/// Registers what Sprig has and we do not implement yet: they fail when called, so charts that
/// only mention them still parse.
fn register_unsupported(m: &mut FuncMap) {
    use Ty::*;
    let list: &[(&str, &'static [Ty], Option<Ty>)] = &[(
        "genSignedCertWithKey",
        &[Str, Any, Any, Int, Any, Str],
        None,
    )];
    for (name, params, variadic) in list {
        let n = name.to_string();
        m.pure(name, params, *variadic, move |_| {
            Err(format!("{n} is not supported by ferroflux yet"))
        });
    }
}

/// The "Master Password" templates Sprig knows, per password type.
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// The characters a template letter stands for.
fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// The scrypt key of a master password and user (N=32768, r=8, p=2, 64 bytes). It costs
/// ~0.1 s (seconds in debug builds) and charts derive many site passwords from one master
/// password, so the last few keys are kept, indexed by a SHA-256 of the inputs.
fn master_key(master: &str, user: &str) -> Result<[u8; 64], String> {
    use sha2::Digest;
    use std::sync::Mutex;
    static CACHE: Mutex<Vec<([u8; 32], [u8; 64])>> = Mutex::new(Vec::new());
    let mut h = sha2::Sha256::new();
    h.update((master.len() as u64).to_be_bytes());
    h.update(master.as_bytes());
    h.update(user.as_bytes());
    let id: [u8; 32] = h.finalize().into();
    if let Ok(c) = CACHE.lock()
        && let Some((_, k)) = c.iter().find(|(i, _)| *i == id)
    {
        return Ok(*k);
    }
    let mut salt = b"com.lyndir.masterpassword".to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let params = scrypt::Params::new(15, 8, 2).map_err(|e| e.to_string())?;
    let mut key = [0u8; 64];
    scrypt::scrypt(master.as_bytes(), &salt, &params, &mut key).map_err(|e| e.to_string())?;
    if let Ok(mut c) = CACHE.lock() {
        if c.len() >= 16 {
            c.remove(0);
        }
        c.push((id, key));
    }
    Ok(key)
}

/// Sprig's `derivePassword`: the "Master Password" algorithm (scrypt of the master password
/// salted with the user name, then HMAC-SHA256 of the site and counter picks a template and
/// its characters).
pub fn derive_password(counter: u32, kind: &str, master: &str, user: &str, site: &str) -> String {
    use hmac::{KeyInit, Mac};
    const SEED: &[u8] = b"com.lyndir.masterpassword";
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let key = match master_key(master, user) {
        Ok(k) => k,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    let mut msg = SEED.to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return "failed to derive password: bad key".into();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_chars(c);
            chars[usize::from(seed[i + 1]) % chars.len()] as char
        })
        .collect()
}

/// bcrypt's base64 alphabet (no padding).
const BCRYPT_B64: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn bcrypt_b64(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let v = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (u32::from(*x) << (16 - 8 * i)));
        let n = chunk.len() + 1;
        for i in 0..n {
            out.push(BCRYPT_B64[((v >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// bcrypt (`$2a$`) of `password` with `salt` at `cost`, as Go's x/crypto/bcrypt computes it.
pub fn bcrypt_hash(password: &[u8], salt: &[u8; 16], cost: u32) -> String {
    use blowfish::Blowfish;
    let mut key: Vec<u8> = password.iter().copied().take(72).collect();
    if key.len() < 72 {
        key.push(0);
    }
    let mut state = Blowfish::bc_init_state();
    state.salted_expand_key(salt, &key);
    for _ in 0..(1u64 << cost) {
        state.bc_expand_key(&key);
        state.bc_expand_key(salt);
    }
    let magic = b"OrpheanBeholderScryDoubt";
    let mut words: Vec<u32> = magic
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    for i in (0..6).step_by(2) {
        for _ in 0..64 {
            let [l, r] = state.bc_encrypt([words[i], words[i + 1]]);
            words[i] = l;
            words[i + 1] = r;
        }
    }
    let mut out = Vec::with_capacity(24);
    for w in words {
        out.extend_from_slice(&w.to_be_bytes());
    }
    format!(
        "$2a${cost:02}${}{}",
        bcrypt_b64(salt),
        bcrypt_b64(&out[..23])
    )
}

fn bcrypt_random(password: &str) -> String {
    use rand::RngExt;
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    bcrypt_hash(password.as_bytes(), &salt, 10)
}

fn aes_key(password: &str) -> aes::Aes256 {
    use aes::cipher::KeyInit;
    let mut key = [0u8; 32];
    let p = password.as_bytes();
    let n = p.len().min(32);
    key[..n].copy_from_slice(&p[..n]);
    aes::Aes256::new(&key.into())
}

fn encrypt_aes(password: &str, plain: &str) -> String {
    use aes::cipher::BlockEncrypt;
    use rand::RngExt;
    if plain.is_empty() {
        return String::new();
    }
    let c = aes_key(password);
    let mut content = plain.as_bytes().to_vec();
    let pad = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let mut iv = [0u8; 16];
    rand::rng().fill(&mut iv);
    let mut out = iv.to_vec();
    let mut prev = iv;
    for block in content.chunks(16) {
        let mut b = [0u8; 16];
        for i in 0..16 {
            b[i] = block[i] ^ prev[i];
        }
        let mut ga = b.into();
        c.encrypt_block(&mut ga);
        prev = ga.into();
        out.extend_from_slice(&prev);
    }
    base64::engine::general_purpose::STANDARD.encode(out)
}

fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, String> {
    use aes::cipher::BlockDecrypt;
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let crypt = super::encoding::go_b64_decode(crypt64.as_bytes())?;
    if crypt.len() < 16 {
        return Err("runtime error: slice bounds out of range [:16]".into());
    }
    let (iv, body) = crypt.split_at(16);
    if !body.len().is_multiple_of(16) {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let c = aes_key(password);
    let mut out = Vec::with_capacity(body.len());
    let mut prev: [u8; 16] = iv.try_into().unwrap_or([0; 16]);
    for block in body.chunks(16) {
        let cur: [u8; 16] = block.try_into().unwrap_or([0; 16]);
        let mut ga = cur.into();
        c.decrypt_block(&mut ga);
        let d: [u8; 16] = ga.into();
        for i in 0..16 {
            out.push(d[i] ^ prev[i]);
        }
        prev = cur;
    }
    let pad = out.last().copied().unwrap_or(0) as usize;
    if pad > out.len() {
        return Err(format!(
            "runtime error: slice bounds out of range [:-{}]",
            pad - out.len()
        ));
    }
    out.truncate(out.len() - pad);
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn adler32(b: &[u8]) -> u32 {
    let (mut a, mut c) = (1u32, 0u32);
    for x in b {
        a = (a + u32::from(*x)) % 65521;
        c = (c + a) % 65521;
    }
    (c << 16) | a
}

#[cfg(test)]
mod tests {
    #[test]
    fn bcrypt_known_vector() {
        // OpenBSD's test vector: "U*U", salt "CCCCCCCCCCCCCCCCCCCCC.", cost 5.
        let salt = [
            0x10, 0x41, 0x04, 0x10, 0x41, 0x04, 0x10, 0x41, 0x04, 0x10, 0x41, 0x04, 0x10, 0x41,
            0x04, 0x10,
        ];
        assert_eq!(
            super::bcrypt_hash(b"U*U", &salt, 5),
            "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
        );
    }

    #[test]
    fn derive_password_matches_sprig() {
        // Outputs of Sprig 3.2.3's derivePassword (Go).
        assert_eq!(
            super::derive_password(1, "long", "password", "user", "example.com"),
            "ZedaFaxcZaso9*"
        );
        assert_eq!(
            super::derive_password(1, "maximum", "password", "user", "example.com"),
            "pf4zS1LjCg&LjhsZ7T2~"
        );
        assert_eq!(
            super::derive_password(1, "nope", "p", "u", "s"),
            "cannot find password template nope"
        );
    }

    #[test]
    fn aes_round_trip() {
        let c = super::encrypt_aes("key", "hello, world");
        assert_eq!(super::decrypt_aes("key", &c).as_deref(), Ok("hello, world"));
    }
}
