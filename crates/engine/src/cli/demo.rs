//! `ferroflux demo`: the whole loop on an embedded cluster. It starts minicluster (the
//! in-process API server, with workloads marked ready after a short delay), installs Flux's
//! CRDs, makes the sample repository's artifact as source-controller would, applies the Flux
//! objects found in its `clusters/demo/flux-system`, and reconciles each Kustomization in
//! `dependsOn` order as kustomize-controller would: build (overlay + post-build), staged
//! server-side apply with a dry run first, health checks when `wait` is set, and the status
//! Flux writes (Ready condition, inventory, last applied revision). Everything goes through the
//! Kubernetes API over HTTPS; `--keep` leaves the cluster up for kubectl. HelmReleases whose chart
//! comes from the GitRepository are then reconciled as helm-controller would: the HelmChart
//! packaged from the source, the release rendered with the spec's values, applied, waited for.

use super::files::ignore_matcher;
use super::kustomize::{flux_build, overlay_from_spec};
use crate::apply::{Applied, Applier};
use anyhow::{Context, Result, bail};
use ferroflux_api::kustomize::Kustomization;
use ferroflux_api::load::{FluxObject, parse_documents};
use ferroflux_kustomize::flux::{FluxOverlay, Substitutions};
use ferroflux_minicluster::{MiniCluster, Options};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct DemoArgs {
    /// The repository to reconcile (a Flux repository layout).
    #[arg(long, default_value = "testdata/sample-repo")]
    repo: PathBuf,
    /// Where its Flux objects are, relative to the repository.
    #[arg(long, default_value = "clusters/demo/flux-system")]
    sync: PathBuf,
    /// Write the cluster's kubeconfig here.
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Keep the cluster serving after the reconciliation (Ctrl-C stops it).
    #[arg(long)]
    keep: bool,
    /// Seconds before the simulated workloads become ready.
    #[arg(long, default_value_t = 1.0)]
    ready_after: f64,
}

const MANAGER: &str = "kustomize-controller";

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn step(start: Instant, what: &str) {
    println!("{:>6.2}s  {what}", start.elapsed().as_secs_f64());
}

async fn client_for(mc: &MiniCluster) -> Result<kube::Client> {
    let kc = kube::config::Kubeconfig::from_yaml(&mc.kubeconfig())?;
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await?;
    Ok(kube::Client::try_from(config)?)
}

/// YAML documents of every .yaml/.yml file in `dir`, in name order.
fn read_documents(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            Ok((p.display().to_string(), text))
        })
        .collect()
}

/// Kustomizations ordered so each comes after what it depends on.
fn order(ks: Vec<Kustomization>) -> Result<Vec<Kustomization>> {
    let key = |k: &Kustomization| {
        format!(
            "{}/{}",
            k.metadata.namespace.as_deref().unwrap_or("default"),
            k.metadata.name.as_deref().unwrap_or_default()
        )
    };
    let mut pending: BTreeMap<String, Kustomization> =
        ks.into_iter().map(|k| (key(&k), k)).collect();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let ready: Vec<String> = pending
            .iter()
            .filter(|(_, k)| {
                let ns = k.metadata.namespace.as_deref().unwrap_or("default");
                k.spec.depends_on.iter().flatten().all(|d| {
                    let dep = format!("{}/{}", d.namespace.as_deref().unwrap_or(ns), d.name);
                    !pending.contains_key(&dep)
                })
            })
            .map(|(n, _)| n.clone())
            .collect();
        if ready.is_empty() {
            bail!(
                "dependsOn cycle or missing dependency among: {}",
                pending.keys().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        for n in ready {
            if let Some(k) = pending.remove(&n) {
                out.push(k);
            }
        }
    }
    Ok(out)
}

async fn patch_status(
    client: &kube::Client,
    group: &str,
    version: &str,
    kind: &str,
    ns: &str,
    name: &str,
    status: Value,
) -> Result<()> {
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let (ar, _) = kube::discovery::pinned_kind(client, &gvk).await?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
    api.patch_status(
        name,
        &PatchParams::default(),
        &Patch::Merge(json!({ "status": status })),
    )
    .await
    .with_context(|| format!("writing the status of {kind} {ns}/{name}"))?;
    Ok(())
}

fn ready_condition(reason: &str, message: &str, generation: i64) -> Value {
    json!([{
        "type": "Ready",
        "status": if reason.ends_with("Failed") { "False" } else { "True" },
        "reason": reason,
        "message": message,
        "observedGeneration": generation,
        "lastTransitionTime": now(),
    }])
}

/// Flux's ownership labels on everything a Kustomization applies.
fn label(objects: &mut [Value], name: &str, ns: &str) {
    for o in objects {
        if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            let labels = meta
                .entry("labels")
                .or_insert_with(|| json!({}))
                .as_object_mut();
            if let Some(l) = labels {
                l.insert("kustomize.toolkit.fluxcd.io/name".into(), json!(name));
                l.insert("kustomize.toolkit.fluxcd.io/namespace".into(), json!(ns));
            }
        }
    }
}

pub fn demo(a: &DemoArgs) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(run(a))
}

async fn run(a: &DemoArgs) -> Result<()> {
    let start = Instant::now();
    let mc = MiniCluster::start(Options {
        simulate_workloads: Some(Duration::from_secs_f64(a.ready_after.max(0.0))),
        ..Options::default()
    })
    .await
    .context("starting the embedded cluster")?;
    if let Some(path) = &a.kubeconfig {
        mc.write_kubeconfig(path)?;
    }
    step(
        start,
        &format!("cluster up at {} (minicluster, HTTPS)", mc.url()),
    );
    let client = client_for(&mc).await?;
    let applier = Applier::new(client.clone(), MANAGER);

    // Flux's CRDs and namespace, as `flux install` would.
    let mut install: Vec<Value> = ferroflux_api::crds::all()?
        .into_iter()
        .map(|c| serde_json::to_value(c).context("encoding a CRD"))
        .collect::<Result<_>>()?;
    install.push(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}}),
    );
    let done = applier.apply_all(&install).await?;
    step(
        start,
        &format!(
            "flux installed: {} CustomResourceDefinitions",
            done.len() - 1
        ),
    );

    // source-controller: the repository's artifact.
    let repo = &a.repo;
    let matcher = ignore_matcher(repo, &[])?;
    let work = tempfile::tempdir()?;
    let artifact_path = work.path().join("artifact.tar.gz");
    let file = std::fs::File::create(&artifact_path)?;
    let (info, _) = ferroflux_source::artifact::write_archive(repo, &matcher, file)
        .with_context(|| format!("archiving {}", repo.display()))?;
    let tree = work.path().join("source");
    ferroflux_source::artifact::extract(
        std::fs::File::open(&artifact_path)?,
        &tree,
        ferroflux_source::artifact::Limits::default(),
    )?;
    let revision = format!("main@{}", info.digest);

    // The Flux objects the repository asks for.
    let sync_dir = repo.join(&a.sync);
    let mut sync_docs = Vec::new();
    let mut kustomizations = Vec::new();
    let mut git_repos = Vec::new();
    let mut helm_releases = Vec::new();
    for (name, text) in read_documents(&sync_dir)? {
        for o in parse_documents(&text, &name)? {
            match o {
                FluxObject::Kustomization(k) => kustomizations.push(k),
                FluxObject::GitRepository(g) => git_repos.push(g),
                FluxObject::HelmRelease(h) => helm_releases.push(h),
                _ => {}
            }
        }
        let docs: Vec<Value> =
            serde_saphyr::from_multiple(&text).with_context(|| format!("{name}: invalid YAML"))?;
        sync_docs.extend(docs.into_iter().filter(|d| !d.is_null()));
    }
    applier.apply_all(&sync_docs).await?;
    step(
        start,
        &format!(
            "applied {} Flux objects from {}",
            sync_docs.len(),
            sync_dir.display()
        ),
    );
    for g in &git_repos {
        let ns = g.metadata.namespace.as_deref().unwrap_or("default");
        let name = g.metadata.name.as_deref().unwrap_or_default();
        let message = format!("stored artifact for revision '{revision}'");
        patch_status(
            &client,
            "source.toolkit.fluxcd.io",
            "v1",
            "GitRepository",
            ns,
            name,
            json!({
                "observedGeneration": 1,
                "artifact": {
                    "path": format!("gitrepository/{ns}/{name}/{}.tar.gz", info.digest.trim_start_matches("sha256:")),
                    "url": format!("http://source-controller.flux-system.svc.cluster.local./gitrepository/{ns}/{name}/latest.tar.gz"),
                    "revision": revision,
                    "digest": info.digest,
                    "size": info.size,
                    "lastUpdateTime": now(),
                },
                "conditions": ready_condition("Succeeded", &message, 1),
            }),
        )
        .await?;
        step(
            start,
            &format!("GitRepository {ns}/{name}: {message} ({} bytes)", info.size),
        );
    }

    // kustomize-controller: each Kustomization after its dependencies.
    let mut summary = Vec::new();
    for k in order(kustomizations)? {
        let ns = k
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into());
        let name = k.metadata.name.clone().unwrap_or_default();
        let path = k.spec.path.clone().unwrap_or_else(|| "./".into());
        let mut overlay = FluxOverlay::default();
        let mut subs = Substitutions::default();
        let wait = k.spec.wait.unwrap_or(false);
        let timeout = k
            .spec
            .timeout
            .as_ref()
            .map(|t| t.as_std())
            .unwrap_or(k.spec.interval.as_std());
        overlay_from_spec(k.spec, &format!("{ns}/{name}"), &mut overlay, &mut subs)?;
        // Remote bases are fetched, as kustomize-controller does by default; the build may
        // block on the network, so it runs on a blocking thread.
        let dir = tree.join(&path);
        let mut objects =
            tokio::task::spawn_blocking(move || flux_build(&dir, &overlay, &subs, true))
                .await
                .context("the build task failed")?
                .with_context(|| format!("Kustomization {ns}/{name}: build of {path} failed"))?;
        label(&mut objects, &name, &ns);
        let applied = applier
            .apply_all(&objects)
            .await
            .with_context(|| format!("Kustomization {ns}/{name}"))?;
        for x in &applied {
            println!("          {} {}", x.display, x.action);
        }
        if wait {
            applier
                .wait(&applied, timeout)
                .await
                .with_context(|| format!("Kustomization {ns}/{name}: health check failed"))?;
        }
        let message = format!("Applied revision: {revision}");
        let inventory: Vec<_> = applied.iter().map(Applied::entry).collect();
        patch_status(
            &client,
            "kustomize.toolkit.fluxcd.io",
            "v1",
            "Kustomization",
            &ns,
            &name,
            json!({
                "observedGeneration": 1,
                "lastAppliedRevision": revision,
                "lastAttemptedRevision": revision,
                "inventory": {"entries": inventory},
                "conditions": ready_condition("ReconciliationSucceeded", &message, 1),
            }),
        )
        .await?;
        step(
            start,
            &format!(
                "Kustomization {ns}/{name}: {} objects applied{}",
                applied.len(),
                if wait { ", healthy" } else { "" }
            ),
        );
        summary.push((name, message));
    }

    // helm-controller: each HelmRelease's chart built from its source, rendered and applied.
    for hr in helm_releases {
        let (name, message) =
            reconcile_helm_release(&client, &applier, hr, &tree, &revision, start).await?;
        summary.push((name, message));
    }

    println!("\nNAME{:<16}READY  MESSAGE", "");
    for (name, message) in &summary {
        println!("{name:<20}True   {message}");
    }
    if a.keep {
        let path = match &a.kubeconfig {
            Some(p) => p.clone(),
            None => {
                let p = std::env::temp_dir().join("ferroflux-demo.kubeconfig");
                mc.write_kubeconfig(&p)?;
                p
            }
        };
        println!(
            "\nThe cluster keeps serving; try:\n  kubectl --kubeconfig {} get kustomizations,gitrepositories -A\n  kubectl --kubeconfig {} -n demo get deploy,svc,cm\nCtrl-C stops it.",
            path.display(),
            path.display()
        );
        tokio::signal::ctrl_c().await?;
    }
    mc.shutdown();
    Ok(())
}

/// What helm-controller does for one HelmRelease whose chart comes from the GitRepository: the
/// HelmChart (packaged from the source tree), the release rendered with the spec's values,
/// Helm's ownership metadata, staged apply, wait, and the HelmRelease status.
async fn reconcile_helm_release(
    client: &kube::Client,
    applier: &Applier,
    hr: ferroflux_api::helm::HelmRelease,
    tree: &Path,
    source_revision: &str,
    start: Instant,
) -> Result<(String, String)> {
    use ferroflux_source::helmchart::{self, LocalChartOptions};
    let ns = hr
        .metadata
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into());
    let name = hr.metadata.name.clone().unwrap_or_default();
    let what = format!("HelmRelease {ns}/{name}");
    let spec = hr.spec;
    let template = spec
        .chart
        .with_context(|| {
            format!("{what}: only spec.chart (a chart from a source) is handled here")
        })?
        .spec;
    if template.source_ref.kind != ferroflux_api::source::HelmChartSourceKind::GitRepository {
        bail!("{what}: the demo builds charts from its GitRepository only");
    }
    let target_ns = spec.target_namespace.clone().unwrap_or_else(|| ns.clone());
    let release = spec
        .release_name
        .clone()
        .unwrap_or_else(|| match &spec.target_namespace {
            Some(t) => format!("{t}-{name}"),
            None => name.clone(),
        });
    let values_files = template.values_files.clone().unwrap_or_default();
    let revision_strategy = matches!(
        template.reconcile_strategy,
        Some(ferroflux_api::source::ReconcileStrategy::Revision)
    );
    let opts = LocalChartOptions {
        values_files: values_files.clone(),
        ignore_missing_values_files: template.ignore_missing_values_files.unwrap_or(false),
        version_metadata: helmchart::version_metadata(
            revision_strategy,
            "GitRepository",
            source_revision,
            !values_files.is_empty(),
            1,
        ),
        ..Default::default()
    };
    let work = tempfile::tempdir()?;
    let packaged = work.path().join("chart.tgz");
    let build = helmchart::build_local(tree, &template.chart, &packaged, &opts)
        .await
        .with_context(|| format!("{what}: building chart {}", template.chart))?;
    // The HelmChart helm-controller creates next to the source.
    let chart_name = format!("{ns}-{name}");
    let chart_obj = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmChart",
        "metadata": {"name": chart_name, "namespace": ns},
        "spec": {
            "chart": template.chart,
            "interval": "1m",
            "reconcileStrategy": if revision_strategy { "Revision" } else { "ChartVersion" },
            "sourceRef": {"kind": "GitRepository", "name": template.source_ref.name},
        }
    });
    applier.apply_all(&[chart_obj]).await?;
    let digest = super::source::file_digest(&packaged)?;
    let pulled = format!(
        "pulled '{}' chart with version '{}'",
        build.name, build.version
    );
    patch_status(
        client,
        "source.toolkit.fluxcd.io",
        "v1",
        "HelmChart",
        &ns,
        &chart_name,
        json!({
            "observedGeneration": 1,
            "observedChartName": build.name,
            "observedSourceArtifactRevision": source_revision,
            "artifact": {
                "path": format!("helmchart/{ns}/{chart_name}/{}-{}.tgz", build.name, build.version),
                "url": format!("http://source-controller.flux-system.svc.cluster.local./helmchart/{ns}/{chart_name}/{}-{}.tgz", build.name, build.version),
                "revision": build.version,
                "digest": digest,
                "lastUpdateTime": now(),
            },
            "conditions": ready_condition("ChartPullSucceeded", &pulled, 1),
        }),
    )
    .await?;
    step(start, &format!("HelmChart {ns}/{chart_name}: {pulled}"));

    let chart = ferroflux_helm::load_archive(&std::fs::read(&packaged)?)
        .map_err(|e| anyhow::anyhow!("{what}: {}", e.0))?;
    let app_version = chart.metadata.app_version.clone();
    // Values reach Helm decoded from JSON: numbers are float64.
    let values = match ferroflux_helm::yaml::floats(spec.values.clone().unwrap_or(json!({}))) {
        Value::Object(m) => m,
        _ => Default::default(),
    };
    let rendered = ferroflux_helm::render_release(
        chart,
        &ferroflux_helm::TemplateOptions {
            release_name: release.clone(),
            namespace: target_ns.clone(),
            values,
            ..Default::default()
        },
    )
    .map_err(|e| anyhow::anyhow!("{what}: {}", e.message))?;
    let mut objects: Vec<Value> = serde_saphyr::from_multiple::<Value>(&rendered.manifest)
        .with_context(|| format!("{what}: the rendered manifest is not YAML"))?
        .into_iter()
        .filter(|d| d.is_object())
        .collect();
    for o in &mut objects {
        let meta = o
            .as_object_mut()
            .and_then(|m| m.get_mut("metadata"))
            .and_then(Value::as_object_mut);
        if let Some(meta) = meta {
            let labels = meta.entry("labels").or_insert_with(|| json!({}));
            labels["app.kubernetes.io/managed-by"] = json!("Helm");
            labels["helm.toolkit.fluxcd.io/name"] = json!(name);
            labels["helm.toolkit.fluxcd.io/namespace"] = json!(ns);
            let ann = meta.entry("annotations").or_insert_with(|| json!({}));
            ann["meta.helm.sh/release-name"] = json!(release);
            ann["meta.helm.sh/release-namespace"] = json!(target_ns);
        }
    }
    let applied = applier
        .apply_all_in(&objects, Some(&target_ns))
        .await
        .with_context(|| what.clone())?;
    for x in &applied {
        println!("          {} {}", x.display, x.action);
    }
    let timeout = spec
        .timeout
        .as_ref()
        .map(|t| t.as_std())
        .unwrap_or(Duration::from_secs(300));
    applier
        .wait(&applied, timeout)
        .await
        .with_context(|| format!("{what}: health check failed"))?;
    let message = format!(
        "Helm install succeeded for release {target_ns}/{release}.v1 with chart {}@{}",
        build.name, build.version
    );
    patch_status(
        client,
        "helm.toolkit.fluxcd.io",
        "v2",
        "HelmRelease",
        &ns,
        &name,
        json!({
            "observedGeneration": 1,
            "lastAttemptedGeneration": 1,
            "lastAttemptedRevision": build.version,
            "lastAttemptedReleaseAction": "install",
            "helmChart": format!("{ns}/{chart_name}"),
            "storageNamespace": target_ns,
            "history": [{
                "name": release,
                "namespace": target_ns,
                "version": 1,
                "status": "deployed",
                "chartName": build.name,
                "chartVersion": build.version,
                "appVersion": app_version,
                "firstDeployed": now(),
                "lastDeployed": now(),
            }],
            "conditions": ready_condition("InstallSucceeded", &message, 1),
        }),
    )
    .await?;
    step(
        start,
        &format!(
            "{what}: release {target_ns}/{release} installed, {} objects, healthy",
            applied.len()
        ),
    );
    Ok((name, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(name: &str, deps: &[&str]) -> Kustomization {
        let deps: Vec<String> = deps.iter().map(|d| format!("{{name: {d}}}")).collect();
        let yaml = format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: {name}, namespace: ns}}\nspec: {{interval: 1m, prune: true, sourceRef: {{kind: GitRepository, name: s}}, dependsOn: [{}]}}\n",
            deps.join(", ")
        );
        match parse_documents(&yaml, "t").unwrap().remove(0) {
            FluxObject::Kustomization(k) => k,
            _ => unreachable!(),
        }
    }

    #[test]
    fn dependencies_come_first_and_cycles_are_errors() {
        let got = order(vec![
            k("apps", &["infra"]),
            k("infra", &[]),
            k("z", &["apps"]),
        ])
        .unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|k| k.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["infra", "apps", "z"]);
        assert!(order(vec![k("a", &["b"]), k("b", &["a"])]).is_err());
    }
}
