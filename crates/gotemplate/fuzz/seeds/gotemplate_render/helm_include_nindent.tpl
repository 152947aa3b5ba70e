{{ define "labels" }}a: 1
b: 2{{ end }}labels:{{ include "labels" . | nindent 2 }}