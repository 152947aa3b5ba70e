{{- range .extraEnv }}
- name: {{ .name }}
  value: {{ tpl .value (dict "Values" (dict "x" "tpl-ed")) | quote }}{{ end }}