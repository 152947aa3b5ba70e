{{/* Kubernetes version: global.kubeVersion if set, otherwise the cluster's */}}
{{- define "kit.capabilities.kubeVersion" -}}
{{- $v := .Capabilities.KubeVersion.Version -}}
{{- if .Values.global -}}
  {{- if .Values.global.kubeVersion -}}
    {{- $v = .Values.global.kubeVersion -}}
  {{- end -}}
{{- end -}}
{{- if .Values.kubeVersion -}}
  {{- $v = .Values.kubeVersion -}}
{{- end -}}
{{- $v -}}
{{- end -}}

{{- define "kit.capabilities.policy.apiVersion" -}}
{{- if semverCompare "<1.21-0" (include "kit.capabilities.kubeVersion" .) -}}
{{- print "policy/v1beta1" -}}
{{- else -}}
{{- print "policy/v1" -}}
{{- end -}}
{{- end -}}

{{- define "kit.capabilities.cronjob.apiVersion" -}}
{{- if semverCompare "<1.21-0" (include "kit.capabilities.kubeVersion" .) -}}
batch/v1beta1
{{- else -}}
batch/v1
{{- end -}}
{{- end -}}

{{- define "kit.capabilities.ingress.apiVersion" -}}
{{- if .Values.ingress -}}
{{- if .Values.ingress.apiVersion -}}
{{- .Values.ingress.apiVersion -}}
{{- else if semverCompare "<1.14-0" (include "kit.capabilities.kubeVersion" .) -}}
{{- print "extensions/v1beta1" -}}
{{- else if semverCompare "<1.19-0" (include "kit.capabilities.kubeVersion" .) -}}
{{- print "networking.k8s.io/v1beta1" -}}
{{- else -}}
{{- print "networking.k8s.io/v1" -}}
{{- end }}
{{- else if semverCompare "<1.14-0" (include "kit.capabilities.kubeVersion" .) -}}
{{- print "extensions/v1beta1" -}}
{{- else if semverCompare "<1.19-0" (include "kit.capabilities.kubeVersion" .) -}}
{{- print "networking.k8s.io/v1beta1" -}}
{{- else -}}
{{- print "networking.k8s.io/v1" -}}
{{- end -}}
{{- end -}}

{{/* Usage: include "kit.capabilities.hpa.apiVersion" (dict "context" $ "beta2" true) */}}
{{- define "kit.capabilities.hpa.apiVersion" -}}
{{- if semverCompare "<1.23-0" (include "kit.capabilities.kubeVersion" .context) -}}
{{- if .beta2 -}}
{{- print "autoscaling/v2beta2" -}}
{{- else -}}
{{- print "autoscaling/v2beta1" -}}
{{- end -}}
{{- else -}}
{{- print "autoscaling/v2" -}}
{{- end -}}
{{- end -}}

{{- define "kit.capabilities.apiVersions.has" -}}
{{- $found := false -}}
{{- range .context.Values.apiVersions -}}
{{- if eq . $.version -}}{{- $found = true -}}{{- end -}}
{{- end -}}
{{- if or $found (.context.Capabilities.APIVersions.Has .version) -}}
{{- true -}}
{{- end -}}
{{- end -}}

{{/* Whether the ingress API has pathType and ingressClassName */}}
{{- define "kit.ingress.supportsPathType" -}}
{{- if semverCompare "<1.18-0" (include "kit.capabilities.kubeVersion" .) -}}
{{- print "false" -}}
{{- else -}}
{{- print "true" -}}
{{- end -}}
{{- end -}}

{{/*
Backend block in the shape the ingress API version wants.
Usage: include "kit.ingress.backend" (dict "serviceName" "x" "servicePort" "http" "context" $)
*/}}
{{- define "kit.ingress.backend" -}}
{{- $apiVersion := (include "kit.capabilities.ingress.apiVersion" .context) -}}
{{- if or (eq $apiVersion "extensions/v1beta1") (eq $apiVersion "networking.k8s.io/v1beta1") -}}
serviceName: {{ .serviceName }}
servicePort: {{ .servicePort }}
{{- else -}}
service:
  name: {{ .serviceName }}
  port:
    {{- if typeIs "string" .servicePort }}
    name: {{ .servicePort }}
    {{- else if or (typeIs "int" .servicePort) (typeIs "float64" .servicePort) }}
    number: {{ .servicePort | int }}
    {{- end }}
{{- end -}}
{{- end -}}
