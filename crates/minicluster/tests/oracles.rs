//! The reference clients against minicluster: kubectl 1.37.1 and helm v4 (installed by
//! `cargo xtask install` under /opt/oracles/bin, or `$FERROFLUX_ORACLES/bin`). A missing
//! binary fails the test.

mod common;

use std::path::{Path, PathBuf};

fn oracle(name: &str) -> PathBuf {
    let dir = std::env::var_os("FERROFLUX_ORACLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/oracles"));
    let p = dir.join("bin").join(name);
    assert!(
        p.exists(),
        "{} is missing: run `cargo xtask install`",
        p.display()
    );
    p
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn run(bin: &Path, kubeconfig: &Path, args: &[&str]) -> Run {
    let out = tokio::process::Command::new(bin)
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", kubeconfig.parent().unwrap())
        .env(
            "HELM_CACHE_HOME",
            kubeconfig.parent().unwrap().join("helm-cache"),
        )
        .env(
            "HELM_CONFIG_HOME",
            kubeconfig.parent().unwrap().join("helm-config"),
        )
        .env(
            "HELM_DATA_HOME",
            kubeconfig.parent().unwrap().join("helm-data"),
        )
        .output()
        .await
        .expect("the oracle runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn setup() -> (
    ferroflux_minicluster::MiniCluster,
    tempfile::TempDir,
    PathBuf,
) {
    let (mc, _) = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    mc.write_kubeconfig(&kc).unwrap();
    (mc, dir, kc)
}

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1
        ports:
        - containerPort: 80
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_server_side_apply_conflicts_and_force() {
    let k = oracle("kubectl");
    let (_mc, dir, kc) = setup().await;
    let f1 = dir.path().join("d1.yaml");
    let f2 = dir.path().join("d2.yaml");
    std::fs::write(&f1, DEPLOY).unwrap();
    std::fs::write(&f2, DEPLOY.replace("replicas: 2", "replicas: 5")).unwrap();
    let r = run(
        &k,
        &kc,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "first",
            "-f",
            f1.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "deployment.apps/web serverside-applied");
    let r = run(
        &k,
        &kc,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "second",
            "-f",
            f2.to_str().unwrap(),
        ],
    )
    .await;
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("Apply failed with 1 conflict: conflict with \"first\": .spec.replicas"),
        "{}",
        r.stderr
    );
    let r = run(
        &k,
        &kc,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "second",
            "--force-conflicts",
            "-f",
            f2.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &k,
        &kc,
        &[
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
    )
    .await;
    assert_eq!(r.stdout, "5");
    let r = run(
        &k,
        &kc,
        &[
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.metadata.managedFields[*].manager}",
            "--show-managed-fields",
        ],
    )
    .await;
    assert_eq!(r.stdout, "first second");
    // Client-side apply too (strategic merge patch).
    let r = run(&k, &kc, &["apply", "-f", f1.to_str().unwrap()]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&k, &kc, &["get", "deploy"]).await;
    assert!(r.stdout.starts_with("NAME"), "{}", r.stdout);
    assert!(r.stdout.contains("web"), "{}", r.stdout);
    let r = run(&k, &kc, &["delete", "deployment", "web"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&k, &kc, &["get", "deployment", "web"]).await;
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("Error from server (NotFound): deployments.apps \"web\" not found"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_get_watch_sees_changes() {
    let k = oracle("kubectl");
    let (_mc, _dir, kc) = setup().await;
    let watch = tokio::process::Command::new(&k)
        .args(["get", "configmaps", "-w", "--request-timeout=8s"])
        .env("KUBECONFIG", &kc)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let r = run(
        &k,
        &kc,
        &["create", "configmap", "watched", "--from-literal=a=b"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let mut watch = watch;
    let _ = watch.start_kill();
    let out = watch.wait_with_output().await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l.starts_with("watched ")), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_auth_can_i_as_a_service_account() {
    let k = oracle("kubectl");
    let (_mc, _dir, kc) = setup().await;
    let sa = "system:serviceaccount:default:robot";
    let r = run(&k, &kc, &["auth", "can-i", "list", "pods", "--as", sa]).await;
    assert_eq!(r.stdout.trim(), "no");
    let r = run(
        &k,
        &kc,
        &[
            "create",
            "rolebinding",
            "robot-view",
            "--clusterrole=view",
            "--serviceaccount=default:robot",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&k, &kc, &["auth", "can-i", "list", "pods", "--as", sa]).await;
    assert_eq!(r.stdout.trim(), "yes");
    let r = run(&k, &kc, &["auth", "can-i", "delete", "pods", "--as", sa]).await;
    assert_eq!(r.stdout.trim(), "no");
    let r = run(&k, &kc, &["get", "pods", "--as", sa, "-n", "kube-system"]).await;
    assert!(r.stderr.contains("pods is forbidden: User \"system:serviceaccount:default:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\""), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_install_list_upgrade_uninstall() {
    let h = oracle("helm");
    let k = oracle("kubectl");
    let (_mc, dir, kc) = setup().await;
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "replicas: 1\n").unwrap();
    std::fs::write(
        chart.join("templates/all.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n  replicas: \"{{ .Values.replicas }}\"\n---\n".to_string()
            + &DEPLOY.replace("name: web", "name: {{ .Release.Name }}-web").replace("replicas: 2", "replicas: {{ .Values.replicas }}"),
    )
    .unwrap();
    let c = chart.to_str().unwrap();
    let r = run(&h, &kc, &["install", "demo", c]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&h, &kc, &["list"]).await;
    assert!(
        r.stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("demo") && l.contains("deployed")),
        "{}",
        r.stdout
    );
    let r = run(&h, &kc, &["upgrade", "demo", c, "--set", "replicas=3"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &k,
        &kc,
        &[
            "get",
            "deployment",
            "demo-web",
            "-o",
            "jsonpath={.spec.replicas}",
        ],
    )
    .await;
    assert_eq!(r.stdout, "3");
    let r = run(
        &k,
        &kc,
        &["get", "secrets", "-l", "owner=helm", "-o", "name"],
    )
    .await;
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
    let r = run(&h, &kc, &["uninstall", "demo"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&k, &kc, &["get", "deployment", "demo-web"]).await;
    assert_ne!(r.code, 0);
    let r = run(&h, &kc, &["list", "-q"]).await;
    assert_eq!(r.stdout.trim(), "");
}
