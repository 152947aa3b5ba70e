{{ define "d" }}
x{{ fail "in define" }}{{ end }}{{ template "d" }}