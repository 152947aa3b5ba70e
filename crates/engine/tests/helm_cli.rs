//! `ferroflux helm show values` and the error shape of `ferroflux helm template`.

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
        .current_dir(dir)
        .output()
        .expect("run ferroflux")
}

#[test]
fn show_values_prints_the_file_as_written() {
    let dir = case("basic-webapp");
    let out = ferroflux(&dir, &["helm", "show", "values", "chart"]);
    assert!(out.status.success());
    let raw = std::fs::read_to_string(dir.join("chart/values.yaml")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{raw}\n"));
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
    let chart = work.path().join("c");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "kind: ConfigMap\ndata:\n  x: {{ required \"x is required\" .Values.x }}\n",
    )
    .unwrap();
    let out = ferroflux(work.path(), &["helm", "template", "r", "c"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: execution error at (c/templates/cm.yaml:3:8): x is required\n\nUse --debug flag to render out invalid YAML\n"
    );
}
