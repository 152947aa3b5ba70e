{{/*
Renders a value that may itself hold template text. The value can be a string or any
structure (it is rendered as YAML first). With "scope", the text runs inside
`with $.RelativeScope` so that `.` means the scope.
Usage: include "kit.tplvalues.render" (dict "value" .Values.path "context" $ ["scope" $obj])
*/}}
{{- define "kit.tplvalues.render" -}}
{{- $text := ternary .value (.value | toYaml) (typeIs "string" .value) -}}
{{- if contains "{{" (toJson .value) -}}
  {{- if .scope -}}
    {{- tpl (cat "{{- with $.RelativeScope -}}" $text "{{- end }}") (merge (dict "RelativeScope" .scope) .context) -}}
  {{- else -}}
    {{- tpl $text .context -}}
  {{- end -}}
{{- else -}}
  {{- $text -}}
{{- end -}}
{{- end -}}

{{/*
Merges several values (each rendered first); the first one listed wins on conflicts.
Usage: include "kit.tplvalues.merge" (dict "values" (list .Values.a .Values.b) "context" $)
*/}}
{{- define "kit.tplvalues.merge" -}}
{{- $dst := dict -}}
{{- range .values -}}
{{- $dst = include "kit.tplvalues.render" (dict "value" . "context" $.context "scope" $.scope) | fromYaml | merge $dst -}}
{{- end -}}
{{ $dst | toYaml }}
{{- end -}}
