{{/* vim: set filetype=mustache: */}}
{{/*
The chart's short name: nameOverride wins, capped at 63 characters (DNS label).
*/}}
{{- define "kit.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* "<chart>-<version>", with + swapped for _ since labels cannot hold it */}}
{{- define "kit.names.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Fully qualified name. A release name that already contains the chart name is used as is.
*/}}
{{- define "kit.names.fullname" -}}
{{- if .Values.fullnameOverride -}}
  {{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
  {{- $short := default .Chart.Name .Values.nameOverride -}}
  {{- if contains $short .Release.Name -}}
    {{- .Release.Name | trunc 63 | trimSuffix "-" -}}
  {{- else -}}
    {{- printf "%s-%s" .Release.Name $short | trunc 63 | trimSuffix "-" -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{/*
Name of a dependency as that dependency computes it.
Usage: include "kit.names.dependency.fullname" (dict "chartName" "cache" "chartValues" .Values.cache "context" $)
*/}}
{{- define "kit.names.dependency.fullname" -}}
{{- if .chartValues.fullnameOverride -}}
{{- .chartValues.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $short := default .chartName .chartValues.nameOverride -}}
{{- if contains $short .context.Release.Name -}}
{{- .context.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .context.Release.Name $short | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kit.names.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kit.names.fullname.namespace" -}}
{{- printf "%s-%s" (include "kit.names.fullname" .) (include "kit.names.namespace" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kit.names.serviceAccount" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kit.names.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}
