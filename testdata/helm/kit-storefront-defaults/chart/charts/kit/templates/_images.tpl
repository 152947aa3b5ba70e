{{/*
Image reference from {registry, repository, tag, digest}; global.imageRegistry overrides the
registry, a digest replaces the tag.
Usage: include "kit.images.image" (dict "imageRoot" .Values.image "global" .Values.global "chart" .Chart)
*/}}
{{- define "kit.images.image" -}}
{{- $registry := .imageRoot.registry -}}
{{- $repository := .imageRoot.repository -}}
{{- $separator := ":" -}}
{{- $termination := .imageRoot.tag | toString -}}
{{- if not .imageRoot.tag -}}
  {{- if .chart -}}
    {{- $termination = .chart.AppVersion | toString -}}
  {{- end -}}
{{- end -}}
{{- if .global -}}
  {{- if .global.imageRegistry -}}
    {{- $registry = .global.imageRegistry -}}
  {{- end -}}
{{- end -}}
{{- if .imageRoot.digest -}}
  {{- $separator = "@" -}}
  {{- $termination = .imageRoot.digest | toString -}}
{{- end -}}
{{- if $registry -}}
  {{- printf "%s/%s%s%s" $registry $repository $separator $termination -}}
{{- else -}}
  {{- printf "%s%s%s" $repository $separator $termination -}}
{{- end -}}
{{- end -}}

{{/*
imagePullSecrets from the images' own lists and global.imagePullSecrets; entries may be
strings or {name: …} maps and may hold templates.
Usage: include "kit.images.renderPullSecrets" (dict "images" (list .Values.image) "context" $)
*/}}
{{- define "kit.images.renderPullSecrets" -}}
{{- $names := list -}}
{{- $ctx := .context -}}
{{- if $ctx.Values.global -}}
  {{- range $ctx.Values.global.imagePullSecrets -}}
    {{- if kindIs "map" . -}}
      {{- $names = append $names (include "kit.tplvalues.render" (dict "value" .name "context" $ctx)) -}}
    {{- else -}}
      {{- $names = append $names (include "kit.tplvalues.render" (dict "value" . "context" $ctx)) -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- range .images -}}
  {{- range .pullSecrets -}}
    {{- if kindIs "map" . -}}
      {{- $names = append $names (include "kit.tplvalues.render" (dict "value" .name "context" $ctx)) -}}
    {{- else -}}
      {{- $names = append $names (include "kit.tplvalues.render" (dict "value" . "context" $ctx)) -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- if (not (empty $names)) }}
imagePullSecrets:
  {{- range $names | uniq }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* IfNotPresent unless the tag is floating */}}
{{- define "kit.images.pullPolicy" -}}
{{- if .pullPolicy -}}
{{- .pullPolicy -}}
{{- else if or (eq (toString .tag) "latest") (hasSuffix "-dev" (toString .tag)) -}}
Always
{{- else -}}
IfNotPresent
{{- end -}}
{{- end -}}
