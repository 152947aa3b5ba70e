{{- define "platform.label" -}}
{{ .Chart.Name }}-{{ .Chart.Version | replace "." "-" }}
{{- end -}}
