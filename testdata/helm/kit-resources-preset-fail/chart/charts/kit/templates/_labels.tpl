{{/*
Standard labels. customLabels may hold templates; they win over the computed ones.
Usage: include "kit.labels.standard" (dict "customLabels" .Values.commonLabels "context" $)
*/}}
{{- define "kit.labels.standard" -}}
{{- $ctx := .context -}}
{{- $computed := dict "app.kubernetes.io/name" (include "kit.names.name" $ctx) "helm.sh/chart" (include "kit.names.chart" $ctx) "app.kubernetes.io/instance" $ctx.Release.Name "app.kubernetes.io/managed-by" $ctx.Release.Service -}}
{{- with $ctx.Chart.AppVersion -}}
{{- $_ := set $computed "app.kubernetes.io/version" (. | replace "+" "_") -}}
{{- end -}}
{{- if .customLabels -}}
{{- $custom := include "kit.tplvalues.render" (dict "value" .customLabels "context" $ctx) | fromYaml -}}
{{- mergeOverwrite $computed $custom | toYaml -}}
{{- else -}}
{{- toYaml $computed -}}
{{- end -}}
{{- end -}}

{{/*
Selector labels: immutable ones only, custom values may override them.
*/}}
{{- define "kit.labels.matchLabels" -}}
{{- $ctx := .context -}}
{{- $computed := dict "app.kubernetes.io/name" (include "kit.names.name" $ctx) "app.kubernetes.io/instance" $ctx.Release.Name -}}
{{- if .customLabels -}}
{{- $custom := include "kit.tplvalues.render" (dict "value" .customLabels "context" $ctx) | fromYaml -}}
{{- merge (pick $custom "app.kubernetes.io/name" "app.kubernetes.io/instance") $computed | toYaml -}}
{{- else -}}
{{- toYaml $computed -}}
{{- end -}}
{{- end -}}

{{/* Annotations: common ones plus the object's own; the object's own win. */}}
{{- define "kit.annotations" -}}
{{- $all := merge (.own | default dict) (.common | default dict) -}}
{{- if $all -}}
{{- include "kit.tplvalues.render" (dict "value" $all "context" .context) -}}
{{- end -}}
{{- end -}}
