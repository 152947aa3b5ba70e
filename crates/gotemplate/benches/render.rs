//! Parse + execute of a chart-like template set (helpers, include, toYaml, range over values).

use criterion::{Criterion, criterion_group, criterion_main};
use ferroflux_gotemplate::{FuncMap, Options, Template, Value};
use std::hint::black_box;
use std::sync::Arc;

const HELPERS: &str = r#"
{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- define "app.labels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}
"#;

const DEPLOYMENT: &str = r#"
{{- range $i, $svc := .Values.services }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" $ }}-{{ $svc.name }}
  labels:
    {{- include "app.labels" $ | nindent 4 }}
spec:
  replicas: {{ $svc.replicas | default 1 }}
  template:
    spec:
      containers:
        - name: {{ $svc.name | quote }}
          image: "{{ $svc.image.repository }}:{{ $svc.image.tag | default "latest" }}"
          {{- with $svc.env }}
          env:
            {{- range $k, $v := . }}
            - name: {{ $k | upper }}
              value: {{ $v | toString | quote }}
            {{- end }}
          {{- end }}
          resources:
            {{- toYaml $svc.resources | nindent 12 }}
          {{- if and $svc.probe (gt (len $svc.ports) 0) }}
          livenessProbe:
            httpGet:
              port: {{ index $svc.ports 0 }}
          {{- end }}
{{- end }}
"#;

fn values() -> Value {
    let services: Vec<serde_json::Value> = (0..50)
        .map(|i| {
            serde_json::json!({
                "name": format!("svc{i}"),
                "replicas": i % 3,
                "image": {"repository": "registry.example/app", "tag": format!("1.{i}.0")},
                "env": {"log_level": "debug", "port": 8080 + i, "feature": i % 2 == 0},
                "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": 0.1}},
                "probe": true,
                "ports": [8080 + i, 9090],
            })
        })
        .collect();
    Value::from_json(&serde_json::json!({
        "Values": {"services": services, "nameOverride": ""},
        "Release": {"Name": "rel", "Namespace": "default"},
        "Chart": {"Name": "app", "Version": "1.2.3+build"},
    }))
}

fn bench(c: &mut Criterion) {
    let funcs = Arc::new(FuncMap::helm());
    let data = values();
    let build = || {
        let mut t = Template::with_shared_funcs("app", funcs.clone(), Options::helm(false));
        t.parse("app/templates/_helpers.tpl", HELPERS)
            .expect("helpers parse");
        t.parse("app/templates/deployment.yaml", DEPLOYMENT)
            .expect("deployment parses");
        t
    };
    c.bench_function("parse chart", |b| b.iter(|| black_box(build())));
    let t = build();
    c.bench_function("execute chart (50 services)", |b| {
        b.iter(|| {
            black_box(
                t.execute("app/templates/deployment.yaml", &data)
                    .expect("renders"),
            )
        })
    });
    c.bench_function("parse+execute chart", |b| {
        b.iter(|| {
            let t = build();
            black_box(
                t.execute("app/templates/deployment.yaml", &data)
                    .expect("renders"),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
