{{ define "parts.x" }}x{{ end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: partial-body-is-dropped
