{{/* Flattens a nested map into KEY=value env entries, recursing through maps. */}}
{{- define "envtree.flatten" -}}
{{- $prefix := .prefix -}}
{{- range $k, $v := .value -}}
{{- $key := printf "%s_%s" $prefix ($k | replace "-" "_" | upper) | trimPrefix "_" -}}
{{- if kindIs "map" $v -}}
{{- include "envtree.flatten" (dict "prefix" $key "value" $v) -}}
{{- else if kindIs "slice" $v -}}
{{ $key }}={{ join "," $v }}
{{ else -}}
{{ $key }}={{ $v }}
{{ end -}}
{{- end -}}
{{- end -}}

{{/* Depth of the deepest map. */}}
{{- define "envtree.depth" -}}
{{- $max := 0 -}}
{{- range $_, $v := . -}}
{{- if kindIs "map" $v -}}
{{- $d := include "envtree.depth" $v | atoi -}}
{{- if gt $d $max }}{{ $max = $d }}{{ end -}}
{{- end -}}
{{- end -}}
{{- add1 $max -}}
{{- end -}}

{{/* Container list rendered as YAML text, read back with fromYamlArray. */}}
{{- define "envtree.sidecars" -}}
{{- range .Values.sidecars }}
- name: {{ .name }}
  image: {{ .image }}:latest
  {{- with .ports }}
  ports:
    {{- range . }}
    - containerPort: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "envtree.meta" -}}
name: {{ .Release.Name }}-envtree
labels:
  app: envtree
{{- end -}}
