{{- define "stopper.check" -}}
{{- if not .Values.token -}}
{{- fail "token must be set" -}}
{{- end -}}
{{- end -}}
