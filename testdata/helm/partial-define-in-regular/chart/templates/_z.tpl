{{- define "defs.dup" -}}_z.tpl wins?{{- end -}}
