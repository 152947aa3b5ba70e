a
{{ if .x }}
b