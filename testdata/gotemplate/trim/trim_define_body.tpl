{{- define "x" -}}
  body
{{- end -}}
[{{ template "x" }}]