{{- define "portal.name" -}}
{{ .Chart.Name }}-{{ .Release.Name }}
{{- end -}}
{{- define "portal.templateInfo" -}}
{{ .Template.Name }} in {{ .Template.BasePath }}
{{- end -}}
