{{- define "kit.affinities.topologyKey" -}}
{{ .topologyKey | default "kubernetes.io/hostname" -}}
{{- end -}}

{{/* Usage: include "kit.affinities.nodes" (dict "type" "soft" "key" "k" "values" (list "a")) */}}
{{- define "kit.affinities.nodes.soft" -}}
preferredDuringSchedulingIgnoredDuringExecution:
  - preference:
      matchExpressions:
        - key: {{ .key }}
          operator: In
          values:
            {{- range .values }}
            - {{ . | quote }}
            {{- end }}
    weight: 1
{{- end -}}

{{- define "kit.affinities.nodes.hard" -}}
requiredDuringSchedulingIgnoredDuringExecution:
  nodeSelectorTerms:
    - matchExpressions:
        - key: {{ .key }}
          operator: In
          values:
            {{- range .values }}
            - {{ . | quote }}
            {{- end }}
{{- end -}}

{{- define "kit.affinities.nodes" -}}
{{- if eq .type "soft" }}
  {{- include "kit.affinities.nodes.soft" . -}}
{{- else if eq .type "hard" }}
  {{- include "kit.affinities.nodes.hard" . -}}
{{- end -}}
{{- end -}}

{{/*
Usage: include "kit.affinities.pods" (dict "type" "soft" "component" "x" "customLabels" $l "extraMatchLabels" $m "topologyKey" "" "context" $)
*/}}
{{- define "kit.affinities.pods.soft" -}}
{{- $component := default "" .component -}}
{{- $extraLabels := default (dict) .extraMatchLabels -}}
preferredDuringSchedulingIgnoredDuringExecution:
  - podAffinityTerm:
      labelSelector:
        matchLabels: {{- (include "kit.labels.matchLabels" (dict "customLabels" .customLabels "context" .context)) | nindent 10 }}
          {{- if not (empty $component) }}
          {{ printf "app.kubernetes.io/component: %s" $component }}
          {{- end }}
          {{- range $key, $value := $extraLabels }}
          {{ $key }}: {{ $value | quote }}
          {{- end }}
      topologyKey: {{ include "kit.affinities.topologyKey" (dict "topologyKey" .topologyKey) }}
    weight: 1
{{- end -}}

{{- define "kit.affinities.pods.hard" -}}
{{- $component := default "" .component -}}
{{- $extraLabels := default (dict) .extraMatchLabels -}}
requiredDuringSchedulingIgnoredDuringExecution:
  - labelSelector:
      matchLabels: {{- (include "kit.labels.matchLabels" (dict "customLabels" .customLabels "context" .context)) | nindent 8 }}
        {{- if not (empty $component) }}
        {{ printf "app.kubernetes.io/component: %s" $component }}
        {{- end }}
        {{- range $key, $value := $extraLabels }}
        {{ $key }}: {{ $value | quote }}
        {{- end }}
    topologyKey: {{ include "kit.affinities.topologyKey" (dict "topologyKey" .topologyKey) }}
{{- end -}}

{{- define "kit.affinities.pods" -}}
{{- if eq .type "soft" }}
  {{- include "kit.affinities.pods.soft" . -}}
{{- else if eq .type "hard" }}
  {{- include "kit.affinities.pods.hard" . -}}
{{- end -}}
{{- end -}}
