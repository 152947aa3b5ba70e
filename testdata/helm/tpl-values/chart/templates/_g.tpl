{{- define "templater.greet" -}}hello {{ . }}{{- end -}}
