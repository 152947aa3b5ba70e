{{/*
Resource presets by size name; an unknown name fails with the sorted list of known ones.
Usage: include "kit.resources.preset" (dict "type" "small")
*/}}
{{- define "kit.resources.preset" -}}
{{- $presets := dict
  "nano" (dict
      "requests" (dict "cpu" "100m" "memory" "128Mi" "ephemeral-storage" "50Mi")
      "limits" (dict "cpu" "150m" "memory" "192Mi" "ephemeral-storage" "2Gi")
   )
  "micro" (dict
      "requests" (dict "cpu" "250m" "memory" "256Mi" "ephemeral-storage" "50Mi")
      "limits" (dict "cpu" "375m" "memory" "384Mi" "ephemeral-storage" "2Gi")
   )
  "small" (dict
      "requests" (dict "cpu" "500m" "memory" "512Mi" "ephemeral-storage" "50Mi")
      "limits" (dict "cpu" "750m" "memory" "768Mi" "ephemeral-storage" "2Gi")
   )
  "large" (dict
      "requests" (dict "cpu" 1.0 "memory" "2048Mi" "ephemeral-storage" "50Mi")
      "limits" (dict "cpu" 1.5 "memory" "3072Mi" "ephemeral-storage" "2Gi")
   )
-}}
{{- if hasKey $presets .type -}}
{{- index $presets .type | toYaml -}}
{{- else -}}
{{- printf "ERROR: resources preset %q is not one of %s" .type (join ", " (keys $presets | sortAlpha)) | fail -}}
{{- end -}}
{{- end -}}
