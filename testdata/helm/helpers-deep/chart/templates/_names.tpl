{{/* fullname from a dict {root, svc} */}}
{{- define "mesh.svcName" -}}
{{- printf "%s-%s" .root.Release.Name .svc.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mesh.labels" -}}
{{- $labels := merge (dict "app.kubernetes.io/name" .svc.name) (.svc.labels | default dict) .root.Values.defaultLabels -}}
{{- range $k := keys $labels | sortAlpha }}
{{ $k }}: {{ index $labels $k | quote }}
{{- end -}}
{{- end -}}
