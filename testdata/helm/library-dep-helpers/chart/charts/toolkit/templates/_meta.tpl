{{- define "toolkit.chartName" -}}
{{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "toolkit.labels" -}}
app: {{ .root.Chart.Name }}
release: {{ .root.Release.Name }}
{{- with .root.Values.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "toolkit.metadata" -}}
name: {{ printf "%s-%s" .root.Release.Name .name }}
namespace: {{ .root.Release.Namespace }}
labels:
  {{- include "toolkit.labels" . | nindent 2 }}
{{- end -}}
