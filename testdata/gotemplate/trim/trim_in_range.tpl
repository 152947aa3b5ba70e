{{- range .l }}
  - {{ . }}
{{- end }}
