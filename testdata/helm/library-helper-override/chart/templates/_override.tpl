{{- define "base.greeting" -}}hello from the parent ({{ .Template.Name }}){{- end -}}
