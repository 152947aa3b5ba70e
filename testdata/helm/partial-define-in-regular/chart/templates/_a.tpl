{{- define "defs.dup" -}}_a.tpl wins?{{- end -}}
