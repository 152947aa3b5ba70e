{{/* Stores computed settings in .Values, for the templates rendered after this one. */}}
{{- define "collections.compute" -}}
{{- if not (hasKey .Values "computed") -}}
{{- $_ := set .Values "computed" (dict "calls" 0) -}}
{{- end -}}
{{- $_ := set .Values.computed "calls" (add1 .Values.computed.calls) -}}
{{- end -}}
