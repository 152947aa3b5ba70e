{{- define "names.where" -}}
{{ .Template.Name }} @ {{ .Template.BasePath }}
{{- end -}}
