{{- range $name, $port := .ports }}
- name: {{ $name }}
  port: {{ $port }}{{ end }}