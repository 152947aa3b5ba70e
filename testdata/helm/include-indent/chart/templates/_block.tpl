{{- define "indenter.block" -}}
first: 1
second:
  nested: 2
{{- end -}}
{{- define "indenter.empty" -}}{{- end -}}
