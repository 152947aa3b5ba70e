{{/*
Value at a dotted path of .Values, printed with %v ("" when absent).
Usage: include "kit.utils.getValueFromKey" (dict "key" "a.b.c" "context" $)
*/}}
{{- define "kit.utils.getValueFromKey" -}}
{{- $parts := splitList "." .key -}}
{{- $value := "" -}}
{{- $cur := .context.Values -}}
{{- range $parts -}}
  {{- if not $cur -}}
    {{- printf "the path %q does not exist in values" $.key | fail -}}
  {{- end -}}
  {{- $value = index $cur . -}}
  {{- $cur = $value -}}
{{- end -}}
{{- printf "%v" (default "" $value) -}}
{{- end -}}

{{/* First non-empty of several dotted paths' values, as a key. */}}
{{- define "kit.utils.getKeyFromList" -}}
{{- $key := first .keys -}}
{{- $reverseKeys := reverse .keys -}}
{{- range $reverseKeys -}}
  {{- $value := include "kit.utils.getValueFromKey" (dict "key" . "context" $.context) -}}
  {{- if $value -}}
    {{- $key = . -}}
  {{- end -}}
{{- end -}}
{{- printf "%s" $key -}}
{{- end -}}

{{/* sha256 of another template of the calling chart. */}}
{{- define "kit.utils.checksumTemplate" -}}
{{- $out := include (print .context.Template.BasePath .path) .context -}}
{{- $out | sha256sum -}}
{{- end -}}

{{/* Secret value: the live one (lookup; always empty in helm template) or the default, base64. */}}
{{- define "kit.secrets.lookup" -}}
{{- $value := "" -}}
{{- $data := (lookup "v1" "Secret" (include "kit.names.namespace" .context) .secret).data -}}
{{- if and $data (hasKey $data .key) -}}
  {{- $value = index $data .key -}}
{{- else if .defaultValue -}}
  {{- $value = .defaultValue | toString | b64enc -}}
{{- end -}}
{{- if $value -}}
{{- printf "%s: %s" .key $value -}}
{{- end -}}
{{- end -}}

{{- define "kit.secrets.name" -}}
{{- $name := include "kit.names.fullname" .context -}}
{{- if .defaultNameSuffix -}}
{{- $name = printf "%s-%s" $name .defaultNameSuffix | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- with .existingSecret -}}
{{- if not (typeIs "string" .) -}}
{{- with .name -}}
{{- $name = . -}}
{{- end -}}
{{- else -}}
{{- $name = . -}}
{{- end -}}
{{- end -}}
{{- printf "%s" $name -}}
{{- end -}}
