//! `ferroflux helm show` and the error shape of `ferroflux helm template`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/helm")
        .join(name)
}

fn ferroflux(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ferroflux"))
        .args(args)
        .env_remove("HELM_DEBUG")
        .current_dir(dir)
        .output()
        .expect("run ferroflux")
}

/// Writes chart `name` under `dir` with one template, `templates/cm.yaml`.
fn one_template_chart(dir: &Path, name: &str, template: &str) {
    let chart = dir.join(name);
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    let meta = format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n");
    std::fs::write(chart.join("Chart.yaml"), meta).unwrap();
    std::fs::write(chart.join("templates/cm.yaml"), template).unwrap();
}

#[test]
fn show_values_prints_the_file_as_written() {
    let dir = case("basic-webapp");
    let out = ferroflux(&dir, &["helm", "show", "values", "chart"]);
    assert!(out.status.success());
    let raw = std::fs::read_to_string(dir.join("chart/values.yaml")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{raw}\n"));
}

/// A chart of our own with a README, CRDs in itself and in a subchart; the expected texts
/// are what `helm show` (v4.3.1) printed for it.
fn shop_chart(root: &Path) -> PathBuf {
    let c = root.join("shop");
    let files = [
        (
            "Chart.yaml",
            "name: shop\nversion: 1.2.0\nappVersion: \"2.10\"\ndescription: A shop front whose description is long enough that Helm folds it over two lines of output\nkeywords: [web]\nmaintainers:\n  - name: Ops\n    email: ops@example.com\nannotations:\n  enabled: yes\nunknown: dropped\ndependencies:\n  - name: sub\n    version: 0.1.0\n    condition: sub.enabled\n",
        ),
        ("values.yaml", "# replicas of the front\nreplicas: 2\n"),
        ("README.md", "# Shop\n"),
        (
            "crds/carts.yaml",
            "kind: CustomResourceDefinition\nmetadata:\n  name: carts.example.com\n",
        ),
        (
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        ),
        (
            "charts/sub/crds/orders.yml",
            "---\nkind: CustomResourceDefinition\nmetadata:\n  name: orders.example.com\n",
        ),
    ];
    for (name, text) in files {
        let path = c.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    c
}

const SHOP_CHART: &str = "annotations:\n  enabled: \"true\"\napiVersion: v1\nappVersion: \"2.10\"\ndependencies:\n- condition: sub.enabled\n  name: sub\n  repository: \"\"\n  version: 0.1.0\ndescription: A shop front whose description is long enough that Helm folds it over\n  two lines of output\nkeywords:\n- web\nmaintainers:\n- email: ops@example.com\n  name: Ops\nname: shop\nversion: 1.2.0\n\n";
const SHOP_CRDS: &str = "---\nkind: CustomResourceDefinition\nmetadata:\n  name: carts.example.com\n\n---\nkind: CustomResourceDefinition\nmetadata:\n  name: orders.example.com\n\n";

#[test]
fn show_prints_each_part_as_helm_does() {
    let work = tempfile::tempdir().unwrap();
    let chart = shop_chart(work.path());
    let show = |part: &str| {
        let out = ferroflux(
            work.path(),
            &["helm", "show", part, chart.to_str().unwrap()],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(show("chart"), SHOP_CHART);
    assert_eq!(show("values"), "# replicas of the front\nreplicas: 2\n\n");
    assert_eq!(show("readme"), "# Shop\n\n");
    assert_eq!(show("crds"), SHOP_CRDS);
    assert_eq!(
        show("all"),
        format!(
            "{SHOP_CHART}---\n# replicas of the front\nreplicas: 2\n\n---\n# Shop\n\n{SHOP_CRDS}"
        )
    );
}

#[test]
fn show_wants_exactly_one_chart() {
    let work = tempfile::tempdir().unwrap();
    let out = ferroflux(work.path(), &["helm", "show", "chart"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: \"helm show chart\" requires 1 argument\n\nUsage:  helm show chart [CHART] [flags]\n"
    );
    std::fs::write(work.path().join("Chart.yaml"), "just words\n").unwrap();
    let out = ferroflux(work.path(), &["helm", "show", "readme", "."]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type v2.Metadata\n"
    );
}

#[test]
fn errors_exit_non_zero_in_helms_words() {
    let dir = case("basic-webapp");
    let out = ferroflux(&dir, &["helm", "template", "x", "./no-such-chart"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: path \"./no-such-chart\" not found\n"
    );
    let out = ferroflux(&dir, &["helm", "template", "x", "chart", "--set", "a"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: failed parsing --set data: key \"a\" has no value\n"
    );
}

#[test]
fn a_template_error_names_file_line_and_column() {
    let work = tempfile::tempdir().unwrap();
    one_template_chart(
        work.path(),
        "c",
        "kind: ConfigMap\ndata:\n  x: {{ required \"x is required\" .Values.x }}\n",
    );
    let out = ferroflux(work.path(), &["helm", "template", "r", "c"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: execution error at (c/templates/cm.yaml:3:8): x is required\n\nUse --debug flag to render out invalid YAML\n"
    );
}

/// `helm template`'s flags are parsed by a command of their own; whatever the whole command
/// reports (an unknown flag in pflag's words, help) still comes from it.
#[test]
fn flag_errors_and_help_name_the_whole_command() {
    let dir = case("basic-webapp");
    let out = ferroflux(&dir, &["helm", "template", "x", "chart", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: unknown flag: --no-such-flag\n"
    );
    let out = ferroflux(&dir, &["helm", "template", "x", "chart", "--kube-version"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: flag needs an argument: --kube-version\n"
    );
    let out = ferroflux(&dir, &["helm", "template", "x", "chart", "-n"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: flag needs an argument: 'n' in -n\n"
    );
    let out = ferroflux(&dir, &["helm", "template", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.starts_with("Print what `helm template [NAME] CHART [flags]` prints")
            && help.contains("--set-literal"),
        "{help}"
    );
    // Flags after the chart, repeated and comma-separated, reach the command.
    let out = ferroflux(
        &dir,
        &[
            "helm",
            "template",
            "x",
            "chart",
            "-n",
            "ns1",
            "--show-only",
            "templates/service.yaml",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("---\n# Source: webapp/templates/service.yaml\n")
            && text.contains("name: x-webapp")
            && !text.contains("kind: Deployment"),
        "{text}"
    );
}

/// Texts of helm v4.3.1 for the same command lines.
#[test]
fn install_and_cluster_flags_are_checked_as_helm_checks_them() {
    let dir = case("basic-webapp");
    let plain = ferroflux(&dir, &["helm", "template", "x", "chart"]);
    assert!(plain.status.success());
    // Flags that change nothing for a local chart leave the output as it was.
    let flags = [
        "--create-namespace",
        "--replace",
        "--wait",
        "--wait=legacy",
        "--timeout=5m",
        "--server-side=false",
        "-l",
        "a=b,c=d",
        "--dry-run",
        "--dry-run=client",
        "--version",
        "1.0",
        "--kube-context",
        "c",
        "--debug",
        "--name-template=",
        "--kube-version=",
    ];
    let mut args = vec!["helm", "template", "x", "chart"];
    args.extend(flags);
    let out = ferroflux(&dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, plain.stdout);
    let err = |extra: &[&str]| {
        let mut args = vec!["helm", "template", "x", "chart"];
        args.extend(extra);
        let out = ferroflux(&dir, &args);
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert_eq!(
        err(&["--timeout=5"]),
        "Error: invalid argument \"5\" for \"--timeout\" flag: time: missing unit in duration \"5\"\n"
    );
    assert_eq!(
        err(&["--wait=x"]),
        "Error: invalid argument \"x\" for \"--wait\" flag: invalid wait input \"x\". Valid inputs are watcher, hookOnly, and legacy\n"
    );
    assert_eq!(
        err(&["--dry-run=none"]),
        "Error: invalid dry-run value (\"none\"). Must be \"server\" or \"client\"\n"
    );
    assert_eq!(
        err(&["-l", "foo"]),
        "Error: invalid argument \"foo\" for \"-l, --labels\" flag: foo must be formatted as key=value\n"
    );
    assert_eq!(
        err(&["--post-renderer", "p"]),
        "Error: invalid argument \"p\" for \"--post-renderer\" flag: plugin: {Name:p Type:postrenderer/v1} not found\n"
    );
    assert_eq!(
        err(&["-g"]),
        "Error: cannot set --generate-name and also specify a name\n"
    );
}

/// What helm v4.3.1 logs under `--debug` before rendering a one-chart directory.
fn debug_prelude(chart: &Path) -> String {
    let name = chart.file_name().unwrap().to_string_lossy();
    format!(
        "level=DEBUG msg=\"Original chart version\" version=\"\"\n\
         level=DEBUG msg=\"Chart path\" path={}\n\
         level=DEBUG msg=\"number of dependencies in the chart\" chart={name} dependencies=0\n",
        chart.display()
    )
}

#[test]
fn debug_prints_what_was_rendered_when_a_manifest_is_not_yaml() {
    let tmp = tempfile::tempdir().unwrap();
    one_template_chart(tmp.path(), "dbg", "a: b\nc\n");
    let out = ferroflux(tmp.path(), &["helm", "template", "rel", "dbg", "--debug"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "---\n# Source: dbg/templates/cm.yaml\na: b\nc\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "{}Error: YAML parse error on dbg/templates/cm.yaml: error converting YAML to JSON: yaml: line 3: could not find expected ':'\n",
            debug_prelude(&tmp.path().join("dbg"))
        )
    );
    let out = ferroflux(tmp.path(), &["helm", "template", "rel", "dbg"]);
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .ends_with("\n\nUse --debug flag to render out invalid YAML\n")
    );
}

/// What helm v4.3.1 prints and writes for the same command (`hooks-rendered` golden chart):
/// one file per template, a hook appended to its template's file, a blank line at the end.
#[test]
fn output_dir_writes_one_file_per_template_as_helm_does() {
    let dir = case("hooks-rendered");
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().display().to_string();
    let args = [
        "helm",
        "template",
        "hk",
        "./chart",
        "--output-dir",
        &out_dir,
    ];
    let out = ferroflux(&dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wrote: Vec<String> = [
        "cm", "deploy", "hooks", "hooks", "hooks", "tests", "tests", "tests", "hooks", "hooks",
    ]
    .iter()
    .map(|f| format!("wrote {out_dir}/hooked/templates/{f}.yaml"))
    .collect();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}\n\n", wrote.join("\n"))
    );
    let cm = std::fs::read_to_string(tmp.path().join("hooked/templates/cm.yaml")).unwrap();
    assert!(
        cm.starts_with("---\n# Source: hooked/templates/cm.yaml\n"),
        "{cm}"
    );
    let hooks = std::fs::read_to_string(tmp.path().join("hooked/templates/hooks.yaml")).unwrap();
    assert_eq!(
        hooks
            .matches("# Source: hooked/templates/hooks.yaml\n")
            .count(),
        5
    );
    // --show-only finds nothing in the (empty) printed text, after writing.
    let out = ferroflux(&dir, &[&args[..], &["-s", "templates/cm.yaml"]].concat());
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .ends_with("Error: could not find template templates/cm.yaml in chart\n")
    );
}

#[test]
fn dependency_update_packages_file_dependencies_and_writes_the_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Values.x | default \"d\" }}\n";
    one_template_chart(tmp.path(), "sub", cm);
    std::fs::write(
        tmp.path().join("sub/Chart.yaml"),
        "apiVersion: v2\nname: sub\nversion: 0.2.0\n",
    )
    .unwrap();
    one_template_chart(tmp.path(), "c", cm);
    one_template_chart(&tmp.path().join("c/charts"), "vend", cm);
    std::fs::write(
        tmp.path().join("c/charts/vend/Chart.yaml"),
        "apiVersion: v2\nname: vend\nversion: 1.0.0\n",
    )
    .unwrap();
    // An archive no dependency names any more is deleted as outdated.
    let stale = tmp.path().join("c/charts/old-0.0.1.tgz");
    let mut old = ferroflux_helm::load(&tmp.path().join("c/charts/vend")).unwrap();
    old.metadata.name = "old".into();
    ferroflux_helm::package::save(&old, std::fs::File::create(&stale).unwrap()).unwrap();
    let meta = "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: vend\n  version: \">=1\"\n- name: sub\n  version: \"*\"\n  repository: \"file://../sub\"\n  alias: s2\n  condition: s2.enabled,sub.enabled\n  tags: [a, b]\n  import-values:\n  - child: x\n    parent: \"y<z>&\"\n  - data\n";
    std::fs::write(tmp.path().join("c/Chart.yaml"), meta).unwrap();
    std::fs::write(tmp.path().join("c/values.yaml"), "s2:\n  x: hello\n").unwrap();

    // Without the flag the missing dependency is an error.
    let out = ferroflux(tmp.path(), &["helm", "template", "x", "c"]);
    assert!(!out.status.success());
    let out = ferroflux(
        tmp.path(),
        &["helm", "template", "x", "c", "--dependency-update"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(
            "Saving 2 charts\nDependency vend did not declare a repository. Assuming it exists in the charts directory\nDeleting outdated charts\n---\n# Source: c/charts/s2/templates/cm.yaml\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("  name: s2-hello\n"), "{stdout}");
    let mut charts: Vec<String> = std::fs::read_dir(tmp.path().join("c/charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    charts.sort();
    assert_eq!(charts, ["sub-0.2.0.tgz", "vend"]);
    let lock = std::fs::read_to_string(tmp.path().join("c/Chart.lock")).unwrap();
    // The digest helm v4.3.1 writes for this Chart.yaml.
    assert!(
        lock.starts_with("dependencies:\n- name: vend\n  repository: \"\"\n  version: '>=1'\n- name: sub\n  repository: file://../sub\n  version: 0.2.0\ndigest: sha256:70065de8274bbd36a461af6b499b62514b15ffbbbdcb04b9d83cc8a69a626df3\ngenerated: \""),
        "{lock}"
    );
    // Now nothing is missing: nothing is updated or printed.
    let out = ferroflux(
        tmp.path(),
        &["helm", "template", "x", "c", "--dependency-update"],
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("---\n"));
    // A repository name Helm does not know is refused before anything is written.
    std::fs::write(
        tmp.path().join("c/Chart.yaml"),
        format!("{meta}- name: r\n  version: \"*\"\n  repository: \"@nope\"\n"),
    )
    .unwrap();
    let out = ferroflux(
        tmp.path(),
        &["helm", "template", "x", "c", "--dependency-update"],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: no repository definition for @nope. Please add them via 'helm repo add'\n"
    );
}

#[test]
fn non_bool_conditions_and_tags_are_logged_and_passed_over() {
    let tmp = tempfile::tempdir().unwrap();
    one_template_chart(tmp.path(), "p", "x: 1\n");
    one_template_chart(&tmp.path().join("p/charts"), "s", "y: 1\n");
    std::fs::write(
        tmp.path().join("p/Chart.yaml"),
        "apiVersion: v2\nname: p\nversion: 0.1.0\ndependencies:\n- name: s\n  version: 0.1.0\n  condition: s.on\n  tags: [t1]\n",
    )
    .unwrap();
    let out = ferroflux(
        tmp.path(),
        &[
            "helm",
            "template",
            "r",
            "p",
            "--set-string",
            "tags.t1=false",
            "--set",
            "s.on=1",
        ],
    );
    assert!(out.status.success());
    // helm v4.3.1's lines; neither value decides, so the subchart stays enabled.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "level=WARN msg=\"returned non-bool value\" tag=t1 chart=s\nlevel=WARN msg=\"returned non-bool value\" path=s.on chart=s\n"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("# Source: p/charts/s/templates/cm.yaml")
    );
}

#[test]
fn values_files_may_be_urls_as_in_helm() {
    let tmp = tempfile::tempdir().unwrap();
    one_template_chart(tmp.path(), "c", "v: {{ toJson .Values }}\n");
    let (port, _) = serve_files(&[("/v.yaml", "x: fromurl\n")]);
    let url = format!("http://127.0.0.1:{port}/v.yaml");
    let out = ferroflux(tmp.path(), &["helm", "template", "r", "c", "-f", &url]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("v: {\"x\":\"fromurl\"}"));
    let set_file = format!("k={url}");
    let out = ferroflux(
        tmp.path(),
        &["helm", "template", "r", "c", "--set-file", &set_file],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("v: {\"k\":\"x: fromurl\\n\"}"));
    let missing = format!("http://127.0.0.1:{port}/missing.yaml");
    let out = ferroflux(tmp.path(), &["helm", "template", "r", "c", "-f", &missing]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("Error: failed to fetch {missing} : 404 Not Found\n")
    );
}

/// `--verify` with keys and signatures made here by gpg; the expected messages are what
/// helm v4.3.1 printed for the same files.
#[test]
fn verify_checks_the_provenance_signature_and_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let home = dir.join("gnupg");
    std::fs::create_dir(&home).unwrap();
    let gpg = |args: &[&str]| ferroflux_testsupport::gpg(&home, args);
    ferroflux_testsupport::gpg_signing_key(&home, "Signer <signer@test>", "rsa2048");
    ferroflux_testsupport::gpg_signing_key(&home, "Stranger <stranger@test>", "ed25519");
    std::fs::write(dir.join("signer.gpg"), gpg(&["--export", "signer@test"])).unwrap();
    std::fs::write(
        dir.join("signer.asc"),
        gpg(&["--armor", "--export", "signer@test"]),
    )
    .unwrap();
    std::fs::write(
        dir.join("stranger.gpg"),
        gpg(&["--export", "stranger@test"]),
    )
    .unwrap();
    one_template_chart(
        dir,
        "c",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    );
    let tar = Command::new("tar")
        .args(["czf", "c-0.1.0.tgz", "c"])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(tar.success());
    let archive = std::fs::read(dir.join("c-0.1.0.tgz")).unwrap();
    use sha2::Digest;
    let sum = hex::encode(sha2::Sha256::digest(&archive));
    std::fs::write(
        dir.join("prov.txt"),
        format!(
            "apiVersion: v2\nname: c\nversion: 0.1.0\n\n...\nfiles:\n  c-0.1.0.tgz: sha256:{sum}\n"
        ),
    )
    .unwrap();
    let prov = dir.join("c-0.1.0.tgz.prov").display().to_string();
    let text = dir.join("prov.txt").display().to_string();
    gpg(&[
        "--local-user",
        "signer@test",
        "--clearsign",
        "-o",
        &prov,
        &text,
    ]);
    let run = |args: &[&str]| {
        let mut all = vec!["helm", "template", "x"];
        all.extend_from_slice(args);
        let out = ferroflux(dir, &all);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for keyring in ["signer.gpg", "signer.asc"] {
        let (ok, out, err) = run(&["c-0.1.0.tgz", "--verify", "--keyring", keyring]);
        assert!(ok && out.contains("kind: ConfigMap"), "{keyring}: {err}");
    }
    let (ok, _, err) = run(&["c-0.1.0.tgz", "--verify", "--keyring", "stranger.gpg"]);
    assert!(!ok);
    assert_eq!(err, "Error: openpgp: signature made by unknown entity\n");
    let (ok, _, err) = run(&["c", "--verify", "--keyring", "signer.gpg"]);
    assert!(!ok);
    assert_eq!(err, "Error: unpacked charts cannot be verified\n");
    // The same archive under another name has no provenance file.
    std::fs::copy(dir.join("c-0.1.0.tgz"), dir.join("copy.tgz")).unwrap();
    let (ok, _, err) = run(&["copy.tgz", "--verify", "--keyring", "signer.gpg"]);
    let prov = dir.join("copy.tgz.prov");
    assert!(!ok);
    assert_eq!(
        err,
        format!(
            "Error: could not load provenance file {p}: stat {p}: no such file or directory\n",
            p = prov.display()
        )
    );
    // A changed archive no longer matches the signed digest.
    let mut changed = archive.clone();
    changed.extend_from_slice(&[0; 16]);
    std::fs::write(dir.join("c-0.1.0.tgz"), &changed).unwrap();
    let (ok, _, err) = run(&["c-0.1.0.tgz", "--verify", "--keyring", "signer.gpg"]);
    assert!(!ok);
    let now = hex::encode(sha2::Sha256::digest(&changed));
    assert_eq!(
        err,
        format!(
            "Error: sha256 sum does not match for c-0.1.0.tgz: \"sha256:{sum}\" != \"sha256:{now}\"\n"
        )
    );
    // Without --verify the same archive renders.
    assert!(run(&["c-0.1.0.tgz"]).0);
    // With --repo the name is a chart in that repository, never the local directory.
    let (ok, _, err) = run(&["c", "--repo", "http://127.0.0.1:1"]);
    assert!(
        !ok && err.starts_with(
            "Error: looks like \"http://127.0.0.1:1\" is not a valid chart repository"
        ),
        "{err}"
    );
}

/// `.Release.Namespace` without `-n` (or with `-n ''`): the kubeconfig context's namespace,
/// as helm v4.3.1 settles it (files merged from `$KUBECONFIG`, the first definition wins).
#[test]
fn namespace_defaults_to_the_kubeconfig_context() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    one_template_chart(dir, "c", "ns: {{ .Release.Namespace }}\n");
    std::fs::write(
        dir.join("a.yaml"),
        "current-context: dev\ncontexts:\n- name: dev\n  context:\n    namespace: team-a\n- name: prod\n  context:\n    namespace: team-b\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b.yaml"),
        "current-context: prod\ncontexts:\n- name: dev\n  context: {}\n- name: other\n  context:\n    namespace: team-o\n",
    )
    .unwrap();
    let ns = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ferroflux"));
        c.args(["helm", "template", "x", "c"])
            .args(args)
            .current_dir(dir)
            .env_remove("HELM_NAMESPACE")
            .env_remove("HELM_KUBECONTEXT")
            .env("HOME", dir);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find_map(|l| l.strip_prefix("ns: "))
            .unwrap_or("")
            .to_string()
    };
    let a = dir.join("a.yaml").display().to_string();
    let ab = format!("{a}:{}", dir.join("b.yaml").display());
    let ba = format!("{}:{a}", dir.join("b.yaml").display());
    assert_eq!(ns(&[], &[]), "default");
    assert_eq!(ns(&[("KUBECONFIG", &a)], &[]), "team-a");
    assert_eq!(ns(&[("KUBECONFIG", &a)], &["-n", ""]), "team-a");
    assert_eq!(ns(&[("KUBECONFIG", &a)], &["-n", "x"]), "x");
    assert_eq!(
        ns(&[("KUBECONFIG", &a)], &["--kube-context", "prod"]),
        "team-b"
    );
    assert_eq!(
        ns(&[("KUBECONFIG", &a)], &["--kube-context", "nope"]),
        "default"
    );
    assert_eq!(ns(&[("KUBECONFIG", &ab)], &[]), "team-a");
    assert_eq!(ns(&[("KUBECONFIG", &ba)], &[]), "team-b");
    assert_eq!(
        ns(&[("KUBECONFIG", &ba)], &["--kube-context", "dev"]),
        "default"
    );
    assert_eq!(
        ns(
            &[("HELM_KUBECONTEXT", "other")],
            &["--kubeconfig", "b.yaml"]
        ),
        "team-o"
    );
}

/// `getHostByName` answers only with `--enable-dns` (helm v4.3.1: "" without it); a bare
/// `--dry-run` is accepted with helm's deprecation line.
#[test]
fn dns_lookups_need_enable_dns() {
    let tmp = tempfile::tempdir().unwrap();
    one_template_chart(
        tmp.path(),
        "c",
        "host: {{ getHostByName \"localhost\" | quote }}\n",
    );
    let host = |args: &[&str]| {
        let mut all = vec!["helm", "template", "x", "c"];
        all.extend_from_slice(args);
        let out = ferroflux(tmp.path(), &all);
        assert!(out.status.success());
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(host(&[]).0.contains("host: \"\"\n"));
    let (out, _) = host(&["--enable-dns"]);
    assert!(
        out.contains("host: \"127.0.0.1\"\n") || out.contains("host: \"::1\"\n"),
        "{out}"
    );
    let (_, err) = host(&["--dry-run"]);
    assert_eq!(
        err,
        "level=WARN msg=\"--dry-run is deprecated and should be replaced with '--dry-run=client'\"\n"
    );
}

/// `helm show values --jsonpath` (outputs of helm v4.3.1): no newline added, YAML 1.1 keys.
#[test]
fn show_values_selects_with_jsonpath() {
    let tmp = tempfile::tempdir().unwrap();
    one_template_chart(tmp.path(), "c", "a: 1\n");
    std::fs::write(
        tmp.path().join("c/values.yaml"),
        "svc:\n  port: 80\n  y: yes\nimages: [{name: a}, {name: b}]\n",
    )
    .unwrap();
    let show = |t: &str| {
        let out = ferroflux(
            tmp.path(),
            &["helm", "show", "values", "c", "--jsonpath", t],
        );
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(show("{.svc}").1, r#"{"port":80,"true":true}"#);
    assert_eq!(show("{.images[*].name}").1, "a b");
    let (ok, _, err) = show("{.svc");
    assert!(!ok);
    assert_eq!(
        err,
        "Error: error parsing jsonpath {.svc: unclosed action\n"
    );
}

/// A failing template under `--debug` (helm v4.3.1): an empty line on stdout, no hint.
#[test]
fn debug_render_errors_have_no_hint() {
    let tmp = tempfile::tempdir().unwrap();
    one_template_chart(tmp.path(), "c", "a: {{ fail \"boom\" }}\n");
    let out = ferroflux(tmp.path(), &["helm", "template", "x", "c", "--debug"]);
    assert!(!out.status.success());
    assert_eq!(out.stdout, b"\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "{}Error: execution error at (c/templates/cm.yaml:1:6): boom\n",
            debug_prelude(&tmp.path().join("c"))
        )
    );
    let out = ferroflux(tmp.path(), &["helm", "template", "x", "c"]);
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .ends_with("\n\nUse --debug flag to render out invalid YAML\n")
    );
}

/// `--debug` logs what helm v4.3.1 logs at debug level (the expected lines are its output
/// for this chart): the version asked for, the chart path, and the schema walk over the
/// chart and its subcharts; `helm lint --debug` the values file's schema first.
#[test]
fn debug_lines_are_helms() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().join("top");
    let files = [
        (
            "Chart.yaml",
            "apiVersion: v2\nname: top\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 0.1.0\n",
        ),
        ("values.yaml", "replicas: 1\nsub:\n  port: 80\n"),
        (
            "values.schema.json",
            r#"{"type":"object","properties":{"replicas":{"type":"integer"}}}"#,
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
        ),
        (
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        ),
        (
            "charts/sub/values.schema.json",
            "{\"type\":\"object\",\"required\":[\"port\"]}\n",
        ),
        ("charts/sub/values.yaml", "port: 1\n"),
    ];
    for (path, text) in files {
        let p = top.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let walk = [
        r#"level=DEBUG msg="chart name" chart-name=top"#,
        r#"level=DEBUG msg="unmarshalled JSON schema" schema="{\"type\":\"object\",\"properties\":{\"replicas\":{\"type\":\"integer\"}}}""#,
        r#"level=DEBUG msg="number of dependencies in the chart" chart=top dependencies=1"#,
        r#"level=DEBUG msg="chart name" chart-name=sub"#,
        r#"level=DEBUG msg="unmarshalled JSON schema" schema="{\"type\":\"object\",\"required\":[\"port\"]}\n""#,
        r#"level=DEBUG msg="number of dependencies in the chart" chart=sub dependencies=0"#,
    ];
    let out = ferroflux(
        tmp.path(),
        &[
            "helm",
            "template",
            "x",
            "top",
            "--debug",
            "--version",
            "1 - 2",
        ],
    );
    assert!(out.status.success());
    let abs = std::fs::canonicalize(&top).unwrap();
    let mut want = vec![
        r#"level=DEBUG msg="Original chart version" version="1 - 2""#.to_string(),
        format!(r#"level=DEBUG msg="Chart path" path={}"#, abs.display()),
    ];
    want.extend(walk.iter().map(|l| l.to_string()));
    assert_eq!(String::from_utf8_lossy(&out.stderr), want.join("\n") + "\n");
    // Without --debug, nothing.
    let out = ferroflux(tmp.path(), &["helm", "template", "x", "top"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ferroflux(tmp.path(), &["helm", "lint", "top", "--debug"]);
    let mut want = vec![walk[1].to_string()];
    want.extend(walk.iter().map(|l| l.to_string()));
    assert_eq!(String::from_utf8_lossy(&out.stderr), want.join("\n") + "\n");
    let out = ferroflux(
        tmp.path(),
        &["helm", "show", "chart", "top", "--debug", "--devel"],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "level=DEBUG msg=\"original chart version\" version=\"\"\nlevel=DEBUG msg=\"setting version to >0.0.0-0\"\n"
    );
}

/// With `--debug`, what was logged comes before what is printed (helm v4.3.1, both streams
/// in one: the debug lines, the empty manifest line, then the error); a `--debug` value
/// that is no boolean is Helm's flag error.
#[test]
fn debug_logs_precede_the_output_and_the_flag_is_a_boolean() {
    let tmp = tempfile::tempdir().unwrap();
    one_template_chart(tmp.path(), "c", "a: {{ fail \"boom\" }}\n");
    let merged = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} helm template x c --debug 2>&1",
            env!("CARGO_BIN_EXE_ferroflux")
        ))
        .env_remove("HELM_DEBUG")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&merged.stdout),
        format!(
            "{}\nError: execution error at (c/templates/cm.yaml:1:6): boom\n",
            debug_prelude(&tmp.path().join("c"))
        )
    );
    let out = ferroflux(
        tmp.path(),
        &["helm", "template", "x", "c", "--debug=garbage"],
    );
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: invalid argument \"garbage\" for \"--debug\" flag: strconv.ParseBool: parsing \"garbage\": invalid syntax\n"
    );
}

/// A failed render under `--debug` with `--show-only` or `--output-dir` prints what
/// helm v4.3.1 prints: the picked files only (nothing when the pattern picks none), and
/// with `--output-dir` the same as without it, never the hint about `--debug`.
#[test]
fn debug_failures_with_show_only_and_output_dir() {
    let tmp = tempfile::tempdir().unwrap();
    one_template_chart(tmp.path(), "dbg", "a: b\nc\n");
    let run = |extra: &[&str]| {
        let mut args = vec!["helm", "template", "x", "dbg", "--debug"];
        args.extend_from_slice(extra);
        let out = ferroflux(tmp.path(), &args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("Use --debug flag"), "{err}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        run(&["--show-only", "templates/cm.yaml"]),
        "---\n# Source: dbg/templates/cm.yaml\na: b\nc\n\n"
    );
    assert_eq!(run(&["--show-only", "templates/nope.yaml"]), "");
    assert_eq!(
        run(&["--output-dir", "out"]),
        "---\n# Source: dbg/templates/cm.yaml\na: b\nc\n"
    );
}

/// Flags the `helm` verbs do not know are refused in pflag's words (helm v4.3.1), the
/// arity error comes before `--generate-name`'s, and `helm lint` of an archive whose
/// Chart.yaml names no chart stops at the unpacking, as Helm's does.
#[test]
fn flag_and_argument_errors_are_helms() {
    let tmp = tempfile::tempdir().unwrap();
    one_template_chart(tmp.path(), "c", "a: b\n");
    let err = |args: &[&str]| {
        let out = ferroflux(tmp.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert_eq!(
        err(&["helm", "template", "x", "c", "--hide-secret"]),
        "Error: unknown flag: --hide-secret\n"
    );
    assert_eq!(
        err(&["helm", "template", "x", "c", "-n", "ns", "-zq"]),
        "Error: unknown shorthand flag: 'z' in -zq\n"
    );
    assert_eq!(
        err(&["helm", "show", "values", "c", "--nope=3"]),
        "Error: unknown flag: --nope\n"
    );
    assert_eq!(
        err(&["helm", "template", "rel", "c", "--generate-name", "x"]),
        "Error: expected at most two arguments, unexpected arguments: x\n"
    );
    assert_eq!(
        err(&["helm", "template", "rel", "c", "--generate-name"]),
        "Error: cannot set --generate-name and also specify a name\n"
    );
    std::fs::create_dir_all(tmp.path().join("pkg/c")).unwrap();
    std::fs::write(tmp.path().join("pkg/c/Chart.yaml"), "hello: world\n").unwrap();
    let tar = Command::new("tar")
        .args(["czf", "../c-0.1.0.tgz", "c"])
        .current_dir(tmp.path().join("pkg"))
        .status()
        .unwrap();
    assert!(tar.success());
    let out = ferroflux(tmp.path(), &["helm", "lint", "c-0.1.0.tgz"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "==> Linting c-0.1.0.tgz\nError unable to extract tarball: chart name not specified\n\n"
    );
}

/// Serves the files of `docs` (path → body) on loopback until the test ends, 404 elsewhere;
/// returns the port and the paths asked for.
fn serve_files(
    docs: &'static [(&'static str, &'static str)],
) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = asked.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            reader.read_line(&mut request).unwrap_or_default();
            // The headers, up to the blank line.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or_default();
            log.lock().unwrap().push(path.to_string());
            let reply = match docs.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .into(),
            };
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (port, asked)
}

/// Schemas that refer to documents on the web are checked with them, as Helm downloads
/// them: relative references resolved against an http `$id`, documents that keep their
/// definitions under tables of their own naming and refer on to further documents (as the
/// bjw-s `common` library's schemas do), and download failures in Helm's words, the first
/// failing reference in Helm's order being the one named. Expected texts: helm v4.3.1 on the
/// same files.
#[test]
fn schema_references_on_the_web_are_downloaded_as_helm_does() {
    static DOCS: &[(&str, &str)] = &[
        (
            "/lib/containers.json",
            r##"{"container": {"type": "object", "properties": {"env": {"$ref": "#/env"}}},
                "env": {"type": "object", "additionalProperties": {"$ref": "env.json#/value"}}}"##,
        ),
        (
            "/lib/env.json",
            r##"{"value": {"anyOf": [{"type": "string"}, {"$ref": "#/ref"}]},
                "ref": {"type": "object", "required": ["from"]}}"##,
        ),
        ("/lib/bad.json", "{bad\n"),
    ];
    let (port, asked) = serve_files(DOCS);
    let tmp = tempfile::tempdir().unwrap();
    let chart = |name: &str, schema: String| {
        one_template_chart(tmp.path(), name, "a: {{ .Values.main.env.A | toJson }}\n");
        std::fs::write(tmp.path().join(name).join("values.schema.json"), schema).unwrap();
    };
    let base = format!("http://127.0.0.1:{port}/lib");
    chart(
        "web",
        format!(
            r##"{{"$id": "{base}/values.schema.json", "type": "object",
                "properties": {{"main": {{"$ref": "containers.json#/container"}}}}}}"##
        ),
    );
    let run = |chart: &str, value: &str| {
        let set = format!("main.env.A={value}");
        let out = ferroflux(
            tmp.path(),
            &["helm", "template", "x", chart, "--set-json", &set],
        );
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // A schema that names itself with an address on the web refers within itself there.
    chart(
        "selfnamed",
        format!(
            r##"{{"$id": "{base}/self.json", "definitions": {{"s": {{"type": "string"}}}},
                "properties": {{"main": {{"properties": {{"env": {{"properties": {{"A": {{"$ref": "#/definitions/s"}}}}}}}}}}}}}}"##
        ),
    );
    let (ok, _, err) = run("selfnamed", "1");
    assert!(!ok);
    assert!(
        err.ends_with("- at '/main/env/A': got number, want string\n\n"),
        "{err}"
    );
    assert!(
        asked.lock().unwrap().is_empty(),
        "{:?}",
        asked.lock().unwrap()
    );
    let (ok, out, _) = run("web", r##""plain""##);
    assert!(ok && out.ends_with("a: \"plain\"\n"), "{out}");
    let (ok, out, _) = run("web", r##"{"from": "x"}"##);
    assert!(ok && out.ends_with("a: {\"from\":\"x\"}\n"), "{out}");
    let (ok, _, err) = run("web", "{}");
    assert!(!ok);
    assert_eq!(
        err,
        "Error: values don't meet the specifications of the schema(s) in the following chart(s):\n\
         web:\n- at '/main/env/A': 'anyOf' failed\n  - at '/main/env/A': got object, want string\n  \
         - at '/main/env/A': missing property 'from'\n\n"
    );
    // The shallowest failing reference is named, whichever the validator meets first.
    chart(
        "broken",
        format!(
            r##"{{"type": "object", "properties": {{
                "deep": {{"properties": {{"x": {{"$ref": "{base}/missing.json"}}}}}},
                "bad": {{"$ref": "{base}/bad.json"}}, "gone": {{"$ref": "{base}/gone.json"}}}}}}"##
        ),
    );
    let (ok, _, err) = run("broken", r##""x""##);
    assert!(!ok);
    assert_eq!(
        err,
        format!(
            "Error: values don't meet the specifications of the schema(s) in the following chart(s):\n\
             broken:\nfailing loading \"{base}/bad.json\": invalid character 'b' looking for beginning of object key string\n"
        )
    );
    chart(
        "notfound",
        format!(r##"{{"properties": {{"x": {{"$ref": "{base}/gone.json#/a"}}}}}}"##),
    );
    let (_, _, err) = run("notfound", r##""x""##);
    assert!(
        err.ends_with(&format!(
            "notfound:\nfailing loading \"{base}/gone.json\": HTTP request to {base}/gone.json returned status 404 (Not Found)\n"
        )),
        "{err}"
    );
    chart(
        "refused",
        r##"{"properties": {"x": {"$ref": "http://127.0.0.1:1/x.json"}}}"##.into(),
    );
    let (_, _, err) = run("refused", r##""x""##);
    assert!(
        err.ends_with(
            "refused:\nfailing loading \"http://127.0.0.1:1/x.json\": HTTP request failed for http://127.0.0.1:1/x.json: Get \"http://127.0.0.1:1/x.json\": dial tcp 127.0.0.1:1: connect: connection refused\n"
        ),
        "{err}"
    );
}

/// Boolean flags take `=value` as pflag reads them (a Go boolean), short ones too; the flags
/// Helm deprecated are accepted with its notice; `--output-dir=` is no directory. The
/// texts are what helm v4.3.1 printed.
#[test]
fn boolean_flags_take_go_booleans_and_deprecated_flags_say_so() {
    let dir = case("basic-webapp");
    let run = |extra: &[&str]| {
        let mut args = vec!["helm", "template", "x", "chart"];
        args.extend(extra);
        ferroflux(&dir, &args)
    };
    let plain = run(&[]);
    let with_crds = run(&["--include-crds"]);
    assert!(plain.status.success() && with_crds.status.success());
    for (flags, same_as) in [
        (&["--include-crds=true"][..], &with_crds),
        (&["--include-crds=T", "--skip-tests=0"][..], &with_crds),
        (&["--include-crds=false", "--no-hooks=false"][..], &plain),
        (
            &["-g=false", "--skip-crds", "--devel=true", "--output-dir="][..],
            &plain,
        ),
        (
            &[
                "--is-upgrade=false",
                "--create-namespace=1",
                "--plain-http=f",
            ][..],
            &plain,
        ),
    ] {
        let out = run(flags);
        assert!(
            out.status.success(),
            "{flags:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, same_as.stdout, "{flags:?}");
    }
    let upgrade = run(&["--is-upgrade=true"]);
    assert_eq!(upgrade.stdout, run(&["--is-upgrade"]).stdout);
    let bad = run(&["--include-crds=x"]);
    assert!(!bad.status.success());
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr),
        "Error: invalid argument \"x\" for \"--include-crds\" flag: strconv.ParseBool: parsing \"x\": invalid syntax\n"
    );
    let wait = run(&["--wait=false"]);
    assert!(wait.status.success());
    assert_eq!(
        String::from_utf8_lossy(&wait.stderr),
        "level=WARN msg=\"--wait=false is deprecated (boolean value) and can be replaced with --wait=hookOnly\"\n"
    );
    let deprecated = run(&[
        "--render-subchart-notes",
        "--atomic=false",
        "--force",
        "--atomic",
    ]);
    assert!(deprecated.status.success());
    assert_eq!(deprecated.stdout, plain.stdout);
    assert_eq!(
        String::from_utf8_lossy(&deprecated.stderr),
        "Flag --render-subchart-notes has been deprecated, this flag has no effect for 'helm template' and will be removed in Helm 5\n\
         Flag --atomic has been deprecated, use --rollback-on-failure instead\n\
         Flag --force has been deprecated, use --force-replace instead\n\
         Flag --atomic has been deprecated, use --rollback-on-failure instead\n"
    );
}
