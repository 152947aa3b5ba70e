{{- define "tplnil.version" -}}
{{- .Capabilities.KubeVersion.Version -}}
{{- end -}}
{{- define "tplnil.dot" -}}
[{{ . }}]
{{- end -}}
