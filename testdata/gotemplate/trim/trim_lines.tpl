line1
{{- if true }}
line2
{{- end }}
line3
