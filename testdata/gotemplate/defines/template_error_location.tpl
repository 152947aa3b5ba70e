{{ define "t" }}
  {{ .x.y }}{{ end }}{{ template "t" . }}