//! Helm charts rendered exactly as `helm template` (v4.3.1) renders them: loading (directory
//! or `.tgz`, `.helmignore`), dependencies (`condition`, `tags`, `alias`, `import-values`),
//! values (defaults, `-f`, the `--set` family, globals, `values.schema.json`), the template
//! engine on top of `ferroflux-gotemplate`, and Helm's manifest ordering and output.
//!
//! ```no_run
//! use ferroflux_helm::{load, template, TemplateOptions};
//! let chart = load(std::path::Path::new("./mychart")).unwrap();
//! let opts = TemplateOptions { release_name: "rel".into(), namespace: "default".into(), ..Default::default() };
//! print!("{}", template(chart, &opts).unwrap());
//! ```

pub mod chart;
mod chart_dir;
mod chart_types;
pub use chart_dir::go_abs;
pub mod coalesce;
pub mod deps;
pub mod depupdate;
mod durations;
pub mod engine;
pub mod file_data;
pub mod glob;
pub mod ignore;
pub mod jsonpath;
pub mod lint;
pub mod manifests;
pub mod objects;
pub mod ocitags;
pub mod package;
pub mod schema;
pub mod schema_formats;
mod shared;
pub mod show;
pub mod strvals;
pub mod template;
pub mod values;
pub mod yaml;
pub mod yaml11;

pub use chart::{Chart, LoadError, load, load_archive, load_logged};
pub use objects::KubeVersion;
pub use template::{
    Rendered, TemplateError, TemplateOptions, debug_failure_output, render_release, template,
    template_logged,
};
pub use values::ValueOptions;
