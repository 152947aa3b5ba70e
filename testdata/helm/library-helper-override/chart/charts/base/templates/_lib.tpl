{{- define "base.greeting" -}}hello from the library{{- end -}}
{{- define "base.farewell" -}}bye from the library{{- end -}}
{{- define "base.sentence" -}}{{ include "base.greeting" . }}; {{ include "base.farewell" . }}{{- end -}}
