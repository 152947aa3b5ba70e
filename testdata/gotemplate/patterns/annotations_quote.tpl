{{- range $k, $v := .annotations }}
{{ $k }}: {{ $v | quote }}{{ end }}