{{- define "gateway.helmSupportsVersion" -}}
{{- if regexMatch "{(v[0-9])*[^}]*}}$" (.Capabilities | toString) -}}
true
{{- end -}}
{{- end -}}

{{- define "gateway.kubeMinor" -}}
{{- .Capabilities.KubeVersion.Minor | trimSuffix "+" | atoi -}}
{{- end -}}
