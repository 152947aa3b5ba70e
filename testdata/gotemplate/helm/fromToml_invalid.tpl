{{- range $doc := list "a = \n" "[a]\nb = 1\n[a]\nc = 2\n" "x = 1\ny = [1,\n" "k = \"unterminated\n" "a = 1\na = 2\n" "ok = 1\n\n\n= 3\n" }}
{{- $e := fromToml $doc }}
{{ keys $e }} {{ regexFind "^toml: line [0-9]+" $e.Error }}
{{- end }}
