//! Rust types of every kind ferroflux serves, spelled exactly as Flux's APIs spell them.
//!
//! - Kinds: [`source`] (GitRepository, HelmRepository, HelmChart, OCIRepository, Bucket,
//!   ExternalArtifact), [`kustomize`] (Kustomization), [`helm`] (HelmRelease),
//!   [`notification`] (Provider, Alert, Receiver), [`image`] (ImageRepository, ImagePolicy,
//!   ImageUpdateAutomation) and [`fluxconfig`] (Azure's FluxConfig).
//! - Shared formats: [`duration`], [`revision`], [`inventory`], [`conditions`], [`artifact`], [`meta`].
//! - [`load`]: read multi-document YAML of any served apiVersion into the current types,
//!   with errors that name the document, the object and the field.
//! - [`crds`]: the CustomResourceDefinitions, all served versions merged.
//!
//! ```
//! use ferroflux_api::load::{FluxObject, parse_documents, to_yaml};
//!
//! let yaml = "apiVersion: source.toolkit.fluxcd.io/v1beta1
//! kind: HelmRepository
//! metadata: {name: bitnami, namespace: flux-system}
//! spec: {interval: 30m, url: https://charts.bitnami.com/bitnami}
//! ";
//! let objects = parse_documents(yaml, "repo.yaml").unwrap();
//! let FluxObject::HelmRepository(repo) = &objects[0] else { unreachable!() };
//! assert_eq!(repo.spec.interval.as_ref().unwrap().as_std().as_secs(), 1800);
//! assert!(to_yaml(&objects).unwrap().starts_with("apiVersion: source.toolkit.fluxcd.io/v1\n"));
//!
//! let err = parse_documents(&yaml.replace("30m", "5x"), "repo.yaml").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     r#"repo.yaml#0: HelmRepository flux-system/bitnami: spec.interval: invalid duration "5x""#
//! );
//! ```
#![deny(missing_docs)]

pub mod artifact;
pub mod conditions;
pub mod crds;
pub mod duration;
pub mod fluxconfig;
pub mod helm;
pub mod image;
pub mod inventory;
pub mod kustomize;
pub mod load;
pub mod meta;
pub mod notification;
pub mod revision;
pub mod source;
