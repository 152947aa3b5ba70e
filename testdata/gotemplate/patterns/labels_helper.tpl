{{ define "labels" }}app: {{ .name }}
version: {{ .version | quote }}{{ end }}metadata:
  labels:
    {{- include "labels" . | nindent 4 }}