{{ if true }}
{{ .x | foo
}}{{ end }}
