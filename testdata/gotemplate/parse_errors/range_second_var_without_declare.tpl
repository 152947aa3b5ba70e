{{- range $i, $item }}
{{ $i }}
{{- end }}
