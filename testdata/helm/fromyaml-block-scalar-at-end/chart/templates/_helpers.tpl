{{- define "scripts.probe" -}}
command: |
  check --fast
  check --deep
{{- end -}}
{{- define "scripts.folded" -}}
summary: >
  one line
  folded
{{- end -}}
