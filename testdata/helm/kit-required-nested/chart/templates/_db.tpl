{{- define "billing.db.host" -}}
{{- required "database.host is required: set it to the primary's service name" .Values.database.host -}}
{{- end -}}

{{- define "billing.db.port" -}}
{{- .Values.database.port | default 5432 | int -}}
{{- end -}}

{{- define "billing.db.url" -}}
{{- printf "postgres://%s:%s@%s:%s/%s" .Values.database.user (include "billing.db.password" .) (include "billing.db.host" .) (include "billing.db.port" .) .Values.database.name -}}
{{- end -}}

{{- define "billing.db.password" -}}
{{- .Values.database.auth.password | default "changeme" -}}
{{- end -}}

{{- define "billing.env" -}}
- name: DATABASE_URL
  value: {{ include "billing.db.url" . | quote }}
- name: REPLICAS
  value: {{ include "kit.utils.getValueFromKey" (dict "key" "replicas" "context" $) | quote }}
{{- end -}}
