{{- define "sidecar.where" -}}
sidecar-helper saw {{ .Template.Name }}
{{- end -}}
