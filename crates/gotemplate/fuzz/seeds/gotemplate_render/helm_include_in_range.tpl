{{ define "item" }}- {{ . }}{{ end }}{{ range .strs }}{{ include "item" . }}
{{ end }}