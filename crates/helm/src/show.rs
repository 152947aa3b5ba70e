//! `helm show chart|values|readme|crds|all`: what Helm prints of a loaded chart, without
//! rendering it. The definition is the metadata marshalled again (sorted keys, empty fields
//! left out, `apiVersion: v1` for a chart that names none), not `Chart.yaml`'s bytes; the
//! values are `values.yaml` as written.

use crate::chart::Chart;
use crate::package::chart_yaml;

/// Which part of the chart `helm show` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Chart,
    Values,
    Readme,
    Crds,
    All,
}

/// The names Helm takes for a README, compared without case, at the chart's root only.
const README_NAMES: [&str; 3] = ["readme.md", "readme.txt", "readme"];

/// What `helm show <part> CHART` prints for `chart`.
pub fn show(chart: &Chart, part: Part) -> String {
    let all = part == Part::All;
    let mut out = String::new();
    if matches!(part, Part::Chart | Part::All) {
        out.push_str(&chart_yaml(&chart.metadata));
        out.push('\n');
    }
    // A chart without values.yaml prints nothing here, not even the separator.
    if let (Part::Values | Part::All, Some(raw)) = (part, &chart.values_raw) {
        if all {
            out.push_str("---\n");
        }
        out.push_str(&String::from_utf8_lossy(raw));
        out.push('\n');
    }
    if let (Part::Readme | Part::All, Some(readme)) = (part, readme(chart)) {
        if all {
            out.push_str("---\n");
        }
        out.push_str(&String::from_utf8_lossy(readme));
        out.push('\n');
    }
    if matches!(part, Part::Crds | Part::All) {
        // Every CRD file, the chart's and then its subcharts', each its own document: a
        // separator comes first unless the file starts with one.
        for (_, data) in chart.crd_files(chart.name()) {
            if !data.starts_with(b"---") {
                out.push_str("---\n");
            }
            out.push_str(&String::from_utf8_lossy(&data));
            out.push('\n');
        }
    }
    out
}

/// The first of the chart's files (in load order) named like a README.
fn readme(chart: &Chart) -> Option<&[u8]> {
    chart
        .files
        .iter()
        .find(|f| README_NAMES.iter().any(|n| f.name.eq_ignore_ascii_case(n)))
        .map(|f| &f.data[..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::File;
    use std::sync::Arc;

    fn file(name: &str, data: &str) -> File {
        File {
            name: name.into(),
            data: data.as_bytes().into(),
        }
    }

    fn chart() -> Chart {
        let mut c = Chart::default();
        c.metadata.name = "demo".into();
        c.metadata.version = "1.0.0".into();
        c.metadata.api_version = "v2".into();
        c.values_raw = Some(Arc::from(&b"# defaults\nreplicas: 1\n"[..]));
        c.files = vec![
            file("README.md", "Read me\n"),
            file("crds/a.yaml", "kind: A\n"),
            file("crds/b.yaml", "---\nkind: B"),
            file("crds/notes.txt", "not a manifest"),
            file("docs/readme.md", "not the chart's README"),
        ];
        c
    }

    #[test]
    fn each_part_alone() {
        let c = chart();
        assert_eq!(
            show(&c, Part::Chart),
            "apiVersion: v2\nname: demo\nversion: 1.0.0\n\n"
        );
        assert_eq!(show(&c, Part::Values), "# defaults\nreplicas: 1\n\n");
        assert_eq!(show(&c, Part::Readme), "Read me\n\n");
        assert_eq!(
            show(&c, Part::Crds),
            "---\nkind: A\n\n---\nkind: B\n",
            "a separator only before a file that lacks one; .txt is no CRD"
        );
    }

    #[test]
    fn all_separates_the_parts_it_has() {
        let mut c = chart();
        assert_eq!(
            show(&c, Part::All),
            "apiVersion: v2\nname: demo\nversion: 1.0.0\n\n---\n# defaults\nreplicas: 1\n\n---\nRead me\n\n---\nkind: A\n\n---\nkind: B\n"
        );
        c.values_raw = None;
        c.files
            .retain(|f| !f.name.starts_with("README") && !f.name.starts_with("crds"));
        assert_eq!(
            show(&c, Part::All),
            "apiVersion: v2\nname: demo\nversion: 1.0.0\n\n"
        );
    }

    #[test]
    fn readme_names_ignore_case_and_the_first_file_wins() {
        let mut c = chart();
        c.files.insert(0, file("ReadMe.TXT", "first"));
        assert_eq!(show(&c, Part::Readme), "first\n");
        c.files
            .retain(|f| !f.name.eq_ignore_ascii_case("readme.md") && f.name != "ReadMe.TXT");
        assert_eq!(
            show(&c, Part::Readme),
            "",
            "docs/readme.md is not at the root"
        );
    }
}
