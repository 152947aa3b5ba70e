{{- define "shard2.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- define "shard2.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/part-of: {{ .Values.global.team | default "none" }}
helm.sh/template: {{ .Template.Name | base }}
{{- end -}}
