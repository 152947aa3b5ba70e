{{- define "kvstore.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Probe block without the chart-only "enabled" switch. */}}
{{- define "kvstore.probe" -}}
{{- $probe := omit .probe "enabled" -}}
{{- $_ := set $probe "tcpSocket" (dict "port" "kvstore") -}}
{{- toYaml $probe -}}
{{- end -}}

{{/* Config file lines: zero and false are real settings, an empty string means unset. */}}
{{- define "kvstore.configLines" -}}
{{- range $k, $v := .Values.config }}
{{- if not (and (kindIs "string" $v) (eq $v "")) }}
{{ $k }} {{ if kindIs "bool" $v }}{{ ternary "yes" "no" $v }}{{ else }}{{ $v }}{{ end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Storage class: "-" means none, empty means the cluster default. */}}
{{- define "kvstore.storageClass" -}}
{{- $sc := .Values.persistence.storageClass | default (dig "global" "storageClass" "" (.Values | toYaml | fromYaml)) -}}
{{- if $sc -}}
{{- if eq "-" $sc -}}
storageClassName: ""
{{- else -}}
storageClassName: {{ $sc | quote }}
{{- end -}}
{{- end -}}
{{- end -}}
