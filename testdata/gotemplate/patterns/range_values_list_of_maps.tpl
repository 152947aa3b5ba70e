{{ range .ports }}- name: {{ .name }}
  port: {{ .port }}
{{ end }}