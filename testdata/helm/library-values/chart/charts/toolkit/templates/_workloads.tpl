{{- define "toolkit.statefulset" -}}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  {{- include "toolkit.metadata" . | nindent 2 }}
spec:
  replicas: {{ .replicas }}
  serviceName: {{ .name }}
  selector:
    matchLabels:
      {{- include "toolkit.labels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "toolkit.labels" . | nindent 8 }}
    spec:
      containers:
        - name: {{ .name }}
          image: queue:{{ .root.Chart.AppVersion }}
{{- end -}}
