//! `FluxObject`: one value of any kind ferroflux serves.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::FieldError;
use crate::duration::Duration;
use crate::fluxconfig::FluxConfig;
use crate::helm::HelmRelease;
use crate::image::{ImagePolicy, ImageRepository, ImageUpdateAutomation};
use crate::kustomize::Kustomization;
use crate::notification::{Alert, Provider, Receiver};
use crate::source::{
    Bucket, ExternalArtifact, GitRepository, HelmChart, HelmRepository, OCIRepository,
};

/// Every served (group, kind, current apiVersion, versions read). The first version is current.
pub(crate) const SERVED: &[(&str, &str, &str, &[&str])] = &[
    (
        "source.toolkit.fluxcd.io",
        "GitRepository",
        "source.toolkit.fluxcd.io/v1",
        &["v1", "v1beta2", "v1beta1"],
    ),
    (
        "source.toolkit.fluxcd.io",
        "HelmRepository",
        "source.toolkit.fluxcd.io/v1",
        &["v1", "v1beta2", "v1beta1"],
    ),
    (
        "source.toolkit.fluxcd.io",
        "HelmChart",
        "source.toolkit.fluxcd.io/v1",
        &["v1", "v1beta2", "v1beta1"],
    ),
    (
        "source.toolkit.fluxcd.io",
        "Bucket",
        "source.toolkit.fluxcd.io/v1",
        &["v1", "v1beta2", "v1beta1"],
    ),
    (
        "source.toolkit.fluxcd.io",
        "OCIRepository",
        "source.toolkit.fluxcd.io/v1",
        &["v1", "v1beta2"],
    ),
    (
        "source.toolkit.fluxcd.io",
        "ExternalArtifact",
        "source.toolkit.fluxcd.io/v1",
        &["v1"],
    ),
    (
        "kustomize.toolkit.fluxcd.io",
        "Kustomization",
        "kustomize.toolkit.fluxcd.io/v1",
        &["v1"],
    ),
    (
        "helm.toolkit.fluxcd.io",
        "HelmRelease",
        "helm.toolkit.fluxcd.io/v2",
        &["v2", "v2beta2", "v2beta1"],
    ),
    (
        "notification.toolkit.fluxcd.io",
        "Provider",
        "notification.toolkit.fluxcd.io/v1beta3",
        &["v1beta3"],
    ),
    (
        "notification.toolkit.fluxcd.io",
        "Alert",
        "notification.toolkit.fluxcd.io/v1beta3",
        &["v1beta3"],
    ),
    (
        "notification.toolkit.fluxcd.io",
        "Receiver",
        "notification.toolkit.fluxcd.io/v1",
        &["v1"],
    ),
    (
        "image.toolkit.fluxcd.io",
        "ImageRepository",
        "image.toolkit.fluxcd.io/v1",
        &["v1"],
    ),
    (
        "image.toolkit.fluxcd.io",
        "ImagePolicy",
        "image.toolkit.fluxcd.io/v1",
        &["v1"],
    ),
    (
        "image.toolkit.fluxcd.io",
        "ImageUpdateAutomation",
        "image.toolkit.fluxcd.io/v1",
        &["v1"],
    ),
    (
        "clusterconfig.azure.com",
        "FluxConfig",
        "clusterconfig.azure.com/v1alpha1",
        &["v1alpha1"],
    ),
];

/// The current `group/version` for a served (group, kind, version), `None` when not served.
pub(crate) fn current_api_version(group: &str, kind: &str, version: &str) -> Option<&'static str> {
    SERVED
        .iter()
        .find(|(g, k, _, versions)| *g == group && *k == kind && versions.contains(&version))
        .map(|(_, _, current, _)| *current)
}

fn api_version_of_kind(kind: &str) -> &'static str {
    SERVED
        .iter()
        .find(|(_, k, _, _)| *k == kind)
        .map(|(_, _, current, _)| *current)
        .unwrap_or("")
}

macro_rules! flux_objects {
    ($($variant:ident),* $(,)?) => {
        /// One object of any kind ferroflux serves, in its current API version.
        #[derive(Clone, Debug, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        pub enum FluxObject {
            $(
                #[doc = concat!("A ", stringify!($variant), ".")]
                $variant($variant),
            )*
        }

        impl FluxObject {
            /// Kind, e.g. `HelmRelease`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(FluxObject::$variant(_) => stringify!($variant),)*
                }
            }

            /// Current `group/version`, e.g. `helm.toolkit.fluxcd.io/v2`.
            pub fn api_version(&self) -> &'static str {
                api_version_of_kind(self.kind())
            }

            /// Object metadata.
            pub fn metadata(&self) -> &ObjectMeta {
                match self {
                    $(FluxObject::$variant(o) => &o.metadata,)*
                }
            }

            /// JSON form (with `apiVersion` and `kind`).
            pub fn to_value(&self) -> Result<Value, serde_json::Error> {
                match self {
                    $(FluxObject::$variant(o) => serde_json::to_value(o),)*
                }
            }

            /// Deserializes a JSON document of the current version of `kind`. Errors name the field.
            pub fn from_value(kind: &str, value: Value) -> Result<FluxObject, Vec<FieldError>> {
                match kind {
                    $(stringify!($variant) => typed::<$variant>(value).map(FluxObject::$variant),)*
                    other => Err(vec![FieldError::new("kind", format!("unknown kind {other:?}"))]),
                }
            }
        }

        $(
            impl From<$variant> for FluxObject {
                fn from(o: $variant) -> Self {
                    FluxObject::$variant(o)
                }
            }
        )*
    };
}

flux_objects!(
    GitRepository,
    HelmRepository,
    HelmChart,
    OCIRepository,
    Bucket,
    ExternalArtifact,
    Kustomization,
    HelmRelease,
    Provider,
    Alert,
    Receiver,
    ImageRepository,
    ImagePolicy,
    ImageUpdateAutomation,
    FluxConfig,
);

impl FluxObject {
    /// `metadata.name`.
    pub fn name(&self) -> Option<&str> {
        self.metadata().name.as_deref()
    }

    /// `metadata.namespace`.
    pub fn namespace(&self) -> Option<&str> {
        self.metadata().namespace.as_deref()
    }

    /// `spec.interval`, for kinds that have one.
    pub fn interval(&self) -> Option<&Duration> {
        match self {
            FluxObject::GitRepository(o) => Some(&o.spec.interval),
            FluxObject::HelmRepository(o) => o.spec.interval.as_ref(),
            FluxObject::HelmChart(o) => Some(&o.spec.interval),
            FluxObject::OCIRepository(o) => Some(&o.spec.interval),
            FluxObject::Bucket(o) => Some(&o.spec.interval),
            FluxObject::Kustomization(o) => Some(&o.spec.interval),
            FluxObject::HelmRelease(o) => Some(&o.spec.interval),
            FluxObject::Provider(o) => o.spec.interval.as_ref(),
            FluxObject::Receiver(o) => o.spec.interval.as_ref(),
            FluxObject::ImageRepository(o) => Some(&o.spec.interval),
            FluxObject::ImagePolicy(o) => o.spec.interval.as_ref(),
            FluxObject::ImageUpdateAutomation(o) => Some(&o.spec.interval),
            FluxObject::ExternalArtifact(_) | FluxObject::Alert(_) | FluxObject::FluxConfig(_) => {
                None
            }
        }
    }

    /// `spec.suspend` (false when unset or for kinds without it).
    pub fn is_suspended(&self) -> bool {
        let flag = match self {
            FluxObject::GitRepository(o) => o.spec.suspend,
            FluxObject::HelmRepository(o) => o.spec.suspend,
            FluxObject::HelmChart(o) => o.spec.suspend,
            FluxObject::OCIRepository(o) => o.spec.suspend,
            FluxObject::Bucket(o) => o.spec.suspend,
            FluxObject::Kustomization(o) => o.spec.suspend,
            FluxObject::HelmRelease(o) => o.spec.suspend,
            FluxObject::Provider(o) => o.spec.suspend,
            FluxObject::Alert(o) => o.spec.suspend,
            FluxObject::Receiver(o) => o.spec.suspend,
            FluxObject::ImageRepository(o) => o.spec.suspend,
            FluxObject::ImagePolicy(o) => o.spec.suspend,
            FluxObject::ImageUpdateAutomation(o) => o.spec.suspend,
            FluxObject::FluxConfig(o) => o.spec.suspend,
            FluxObject::ExternalArtifact(_) => None,
        };
        flag.unwrap_or(false)
    }
}

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Vec<FieldError>> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let path = err.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = err.inner().to_string();
        vec![rewrite(path, message)]
    })
}

/// Turns serde's "missing field `x`" at `spec` into `spec.x: missing required field`.
fn rewrite(path: String, message: String) -> FieldError {
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some(field) = rest.strip_suffix('`')
    {
        let full = if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        };
        return FieldError::new(full, "missing required field");
    }
    if let Some(rest) = message.strip_prefix("unknown variant `")
        && let Some((value, expected)) = rest.split_once("`, expected ")
    {
        return FieldError::new(
            path,
            format!("unsupported value {value:?}, expected {expected}"),
        );
    }
    FieldError::new(path, message)
}
