//! `ferroflux gotmpl render FILE [--data JSON_FILE] [--helm]`: one Go template with Sprig.
//! Plain `text/template` semantics by default (a missing value prints `<no value>`, `env` and
//! `expandenv` work); `--helm` uses Helm's engine rules instead.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct RenderArgs {
    /// The template file.
    file: PathBuf,
    /// A JSON file whose value is the template's data (`.`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Helm's rules: its function map, missing keys as zero values, `<no value>` erased.
    #[arg(long)]
    helm: bool,
}

pub fn render(a: &RenderArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("reading {}", a.file.display()))?;
    let data = match &a.data {
        Some(path) => {
            let raw = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Some(
                serde_json::from_str(&raw)
                    .with_context(|| format!("{}: invalid JSON", path.display()))?,
            )
        }
        None => None,
    };
    let name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| a.file.display().to_string());
    if a.helm {
        let out = ferroflux_gotemplate::render_helm(&text, &name, data)?;
        std::io::stdout().lock().write_all(out.as_bytes())?;
        return Ok(());
    }
    // As Go's `Execute` to stdout: what was written before an error stays written.
    let mut out = String::new();
    let result = ferroflux_gotemplate::render_plain_into(&text, &name, data, &mut out);
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(result?)
}
