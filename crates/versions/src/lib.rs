//! Semantic versions and version constraints with the semantics of Masterminds semver v3,
//! the library behind Flux's `semver` fields, Helm's chart version ranges and Sprig's
//! `semverCompare`.
//!
//! - [`Version`]: lenient parsing (`1`, `v1.2`, `1.2.3-rc.1+meta`), semver precedence order.
//! - [`Constraints`]: `,`/space AND, `||` OR, `= != > < >= <= ~ ~> ^`, `x`/`X`/`*`
//!   wildcards, hyphen ranges, and Masterminds' pre-release rule.
//! - [`latest_matching`] and [`sort`] helpers.
//!
//! ```
//! use ferroflux_versions::{Constraints, Version};
//! let c = Constraints::parse(">= 1.2, < 2 || ^3.1").unwrap();
//! assert!(c.check(&Version::parse("1.9.0").unwrap()));
//! assert!(!c.check(&Version::parse("2.0.0").unwrap()));
//! ```
#![deny(missing_docs)]

mod constraint;
mod version;

pub use constraint::{ConstraintError, Constraints, latest_matching, sort};
pub use version::{Version, VersionError};
