{{- define "mesh.metadata" -}}
metadata:
  name: {{ include "mesh.svcName" . }}
  labels:
    {{- include "mesh.labels" . | indent 4 }}
{{- end -}}

{{- define "mesh.route" -}}
- path: {{ .path }}
  backend: {{ include "mesh.svcName" .ctx }}
{{- end -}}

{{- define "mesh.routes" -}}
{{- range .svc.routes }}
{{ include "mesh.route" (dict "path" . "ctx" $) }}
{{- end -}}
{{- end -}}

{{- define "mesh.service" -}}
apiVersion: v1
kind: Service
{{ include "mesh.metadata" . }}
spec:
  ports:
    - port: {{ .svc.port }}
  routes:
    {{- include "mesh.routes" . | indent 4 }}
{{- end -}}
