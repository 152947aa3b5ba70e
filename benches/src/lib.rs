//! Criterion benchmarks that span crates (see README.md), and the generated inputs they share
//! with `cargo xtask compare`.

use std::path::Path;

/// Writes a tree of `files` YAML manifests of about `file_size` bytes each, spread over
/// directories of 50 files, with deterministic content.
pub fn generate_manifest_tree(root: &Path, files: usize, file_size: usize) -> std::io::Result<()> {
    for i in 0..files {
        let dir = root.join(format!("apps/team-{:03}", i / 50));
        std::fs::create_dir_all(&dir)?;
        let mut body = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{i}\n  namespace: team-{:03}\ndata:\n",
            i / 50
        );
        let mut n = 0usize;
        while body.len() < file_size {
            // Varied but compressible, like real manifests.
            body.push_str(&format!(
                "  key-{n}: \"value-{}-{}\"\n",
                (i * 7919 + n * 104729) % 100_003,
                n % 17
            ));
            n += 1;
        }
        std::fs::write(dir.join(format!("config-{i}.yaml")), body)?;
    }
    Ok(())
}

/// Writes an umbrella chart at `root` with `subcharts` application subcharts under `charts/`,
/// each with a Deployment, Service, ConfigMap, ServiceAccount and HPA built through named
/// helpers (`include`, `toYaml`, `nindent`, `tpl`), plus globals and per-subchart values in the
/// parent — the shape of real umbrella charts (helm#12016).
pub fn generate_umbrella_chart(root: &Path, subcharts: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("templates"))?;
    std::fs::write(
        root.join("Chart.yaml"),
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\nappVersion: \"2.3.4\"\n",
    )?;
    let mut values = String::from("global:\n  registry: registry.example.com\n  env: prod\n");
    for i in 0..subcharts {
        values.push_str(&format!(
            "svc{i:03}:\n  replicaCount: {}\n  config:\n    LOG_LEVEL: info\n    FEATURE_{i}: \"on\"\n",
            1 + i % 3
        ));
        write_app_subchart(
            &root.join(format!("charts/svc{i:03}")),
            &format!("svc{i:03}"),
        )?;
    }
    std::fs::write(root.join("values.yaml"), values)?;
    std::fs::write(
        root.join("templates/namespace.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Release.Namespace }}\n  labels:\n    env: {{ .Values.global.env }}\n",
    )?;
    Ok(())
}

/// One application chart of the kind `helm create` scaffolds, written from scratch.
pub fn write_app_subchart(dir: &Path, name: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("templates"))?;
    std::fs::write(
        dir.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\nappVersion: \"1.0\"\n"),
    )?;
    std::fs::write(
        dir.join("values.yaml"),
        "replicaCount: 1\nimage:\n  repository: app\n  tag: \"\"\nservice:\n  type: ClusterIP\n  port: 80\nresources:\n  limits:\n    cpu: 500m\n    memory: 256Mi\n  requests:\n    cpu: 100m\n    memory: 128Mi\nconfig: {}\nautoscaling:\n  enabled: true\n  minReplicas: 1\n  maxReplicas: 5\n  targetCPU: 80\npodAnnotations:\n  checksum: \"{{ .Chart.Name }}-{{ .Chart.Version }}\"\n",
    )?;
    std::fs::write(
        dir.join("templates/_helpers.tpl"),
        r#"{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "app.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "app.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "app.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "app.image" -}}
{{ .Values.global.registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
"#,
    )?;
    std::fs::write(
        dir.join("templates/deployment.yaml"),
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "app.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      annotations:
        {{- range $k, $v := .Values.podAnnotations }}
        {{ $k }}: {{ tpl $v $ | quote }}
        {{- end }}
      labels:
        {{- include "app.selectorLabels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ include "app.fullname" . }}
      containers:
        - name: {{ .Chart.Name }}
          image: {{ include "app.image" . | quote }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
          envFrom:
            - configMapRef:
                name: {{ include "app.fullname" . }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"#,
    )?;
    std::fs::write(
        dir.join("templates/service.yaml"),
        r#"apiVersion: v1
kind: Service
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      name: http
  selector:
    {{- include "app.selectorLabels" . | nindent 4 }}
"#,
    )?;
    std::fs::write(
        dir.join("templates/configmap.yaml"),
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
data:
  ENV: {{ .Values.global.env | quote }}
  {{- range $k, $v := .Values.config }}
  {{ $k }}: {{ $v | quote }}
  {{- end }}
"#,
    )?;
    std::fs::write(
        dir.join("templates/serviceaccount.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n  labels:\n    {{- include \"app.labels\" . | nindent 4 }}\n",
    )?;
    std::fs::write(
        dir.join("templates/hpa.yaml"),
        r#"{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "app.fullname" . }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "app.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPU }}
{{- end }}
"#,
    )?;
    Ok(())
}
