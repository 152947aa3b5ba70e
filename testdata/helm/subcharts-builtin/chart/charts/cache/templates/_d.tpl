{{- define "cache.describe" -}}{{ .Chart.Name }} holds {{ .Values.size }}{{- end -}}
