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

/// Writes a kustomize tree at `root` and returns the directory to build: a base of
/// `resources` objects (applications of a Deployment, Service, ConfigMap, ServiceAccount and
/// HorizontalPodAutoscaler that refer to each other by name, in files of 50 documents, plus one
/// generated ConfigMap every Deployment reads) under `levels` overlays, each building on the
/// one below, with `patches` patches spread over the levels (strategic merge by name, by
/// label selector and by name regex, JSON 6902, and patch files without a target), labels or
/// annotations on every level, `commonLabels`, a name prefix and suffix, and at the top a
/// namespace, images and replicas — the shape of a large real overlay stack.
pub fn generate_kustomize_overlay(
    root: &Path,
    resources: usize,
    levels: usize,
    patches: usize,
) -> std::io::Result<std::path::PathBuf> {
    let levels = levels.max(1);
    // Patches name applications that are complete (all five objects).
    let apps = (resources / 5).max(1);
    let base = root.join("base");
    std::fs::create_dir_all(&base)?;
    let tiers = ["frontend", "backend", "worker", "batch"];
    let mut files = Vec::new();
    let mut body = String::new();
    for i in 0..resources {
        let app = i / 5;
        let name = format!("app-{app:04}");
        let tier = tiers[app % tiers.len()];
        if !body.is_empty() {
            body.push_str("---\n");
        }
        body.push_str(&match i % 5 {
            0 => format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\n    tier: {tier}\nspec:\n  replicas: {}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n        tier: {tier}\n    spec:\n      serviceAccountName: {name}\n      containers:\n      - name: main\n        image: registry.example.com/team/image-{}:1.0.{}\n        ports:\n        - name: http\n          containerPort: 8080\n        envFrom:\n        - configMapRef:\n            name: {name}-config\n        env:\n        - name: REGION\n          valueFrom:\n            configMapKeyRef:\n              name: shared-config\n              key: region\n        - name: LOG_LEVEL\n          value: info\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            cpu: 500m\n            memory: 256Mi\n        volumeMounts:\n        - name: config\n          mountPath: /etc/app\n      volumes:\n      - name: config\n        configMap:\n          name: {name}-config\n",
                1 + app % 3,
                app % 10,
                app % 7
            ),
            1 => format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\n    tier: {tier}\nspec:\n  type: ClusterIP\n  selector:\n    app: {name}\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n"
            ),
            2 => format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  labels:\n    app: {name}\ndata:\n  APP_NAME: {name}\n  FEATURE_FLAGS: \"a,b,c\"\n  TIMEOUT: \"30\"\n  settings.json: |\n    {{\"app\": \"{name}\", \"threads\": {}}}\n",
                1 + app % 8
            ),
            3 => format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\n"
            ),
            _ => format!(
                "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: {name}\n  minReplicas: 1\n  maxReplicas: 10\n  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 80\n"
            ),
        });
        if (i + 1) % 50 == 0 || i + 1 == resources {
            let file = format!("apps-{:03}.yaml", files.len());
            std::fs::write(base.join(&file), std::mem::take(&mut body))?;
            files.push(file);
        }
    }
    let mut k = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    for f in &files {
        k.push_str(&format!("- {f}\n"));
    }
    k.push_str("configMapGenerator:\n- name: shared-config\n  literals:\n  - region=eu-west-1\n  - cluster=prod-1\n");
    std::fs::write(base.join("kustomization.yaml"), k)?;

    let mut below = std::path::PathBuf::from("../../base");
    let mut top = base;
    for level in 1..=levels {
        let dir = root.join(format!("overlays/level-{level:02}"));
        std::fs::create_dir_all(&dir)?;
        let mut k = format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- {}\n",
            below.display()
        );
        if level % 2 == 1 {
            k.push_str(&format!(
                "labels:\n- pairs:\n    layer-{level:02}: applied\n"
            ));
        } else {
            k.push_str(&format!(
                "commonAnnotations:\n  example.com/layer-{level:02}: \"applied at level {level}\"\n"
            ));
        }
        if level == 2 || (levels < 2 && level == 1) {
            k.push_str("commonLabels:\n  env: prod\n");
        }
        if level == levels.div_ceil(2) {
            k.push_str("namePrefix: team-\n");
        }
        if level == (3 * levels).div_ceil(4) {
            k.push_str("nameSuffix: -v2\n");
        }
        if level == levels {
            k.push_str("namespace: prod\nimages:\n- name: registry.example.com/team/image-1\n  newTag: 2.0.0\n- name: registry.example.com/team/image-2\n  newName: mirror.example.com/image-2\n  digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nreplicas:\n- name: app-0000\n  count: 5\n");
        }
        // This level's share of the patches.
        let mine: Vec<usize> = (0..patches)
            .filter(|j| j * levels / patches.max(1) + 1 == level)
            .collect();
        let mut entries = String::new();
        for j in mine {
            let app = format!("app-{:04}", (j * 37) % apps);
            match j % 5 {
                0 => entries.push_str(&format!(
                    "- target:\n    kind: Deployment\n    name: {app}\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: not-used\n    spec:\n      template:\n        spec:\n          containers:\n          - name: main\n            env:\n            - name: PATCH_{j}\n              value: \"{j}\"\n            resources:\n              limits:\n                memory: {}Mi\n",
                    256 + j
                )),
                1 => entries.push_str(&format!(
                    "- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: {app}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: {}\n    - op: add\n      path: /spec/template/metadata/labels/patched-{j}\n      value: \"yes\"\n",
                    2 + j % 4
                )),
                2 => entries.push_str(&format!(
                    "- target:\n    kind: Deployment\n    labelSelector: tier={}\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n    spec:\n      template:\n        metadata:\n          annotations:\n            example.com/patch-{j}: applied\n",
                    tiers[j % tiers.len()]
                )),
                3 => {
                    let file = format!("patch-{j:03}.yaml");
                    std::fs::write(
                        dir.join(&file),
                        format!(
                            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\ndata:\n  PATCHED_BY: patch-{j}\n"
                        ),
                    )?;
                    entries.push_str(&format!("- path: {file}\n"));
                }
                _ => entries.push_str(&format!(
                    "- target:\n    kind: Service\n    name: app-0{}.*\n  patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: any\n      annotations:\n        example.com/patch-{j}: applied\n",
                    j % 10
                )),
            }
        }
        if !entries.is_empty() {
            k.push_str("patches:\n");
            k.push_str(&entries);
        }
        std::fs::write(dir.join("kustomization.yaml"), k)?;
        below = std::path::PathBuf::from(format!("../level-{level:02}"));
        top = dir;
    }
    Ok(top)
}
