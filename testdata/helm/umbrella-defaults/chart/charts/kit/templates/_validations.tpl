{{/*
Fails with every message collected by the chart's validators, or renders nothing.
Usage: include "kit.validations.run" (dict "messages" (list (include "a" .) (include "b" .)))
*/}}
{{- define "kit.validations.run" -}}
{{- $messages := without .messages "" -}}
{{- $message := join "\n" $messages -}}
{{- if $message -}}
{{-   printf "\nVALUES VALIDATION:\n%s" $message | fail -}}
{{- end -}}
{{- end -}}

{{/* Message when a required value (dotted path) is empty. */}}
{{- define "kit.validations.values.single.empty" -}}
{{- $value := include "kit.utils.getValueFromKey" (dict "key" .valueKey "context" .context) -}}
{{- if not $value -}}
{{- $varname := regexReplaceAll "[.-]" .valueKey "_" | upper -}}
{{- printf "\n'%s' must not be empty, please add '--set %s=$%s' to the command." .valueKey .valueKey $varname -}}
{{- end -}}
{{- end -}}

{{/* Message when a value is not one of the allowed ones. */}}
{{- define "kit.validations.values.oneOf" -}}
{{- $value := include "kit.utils.getValueFromKey" (dict "key" .valueKey "context" .context) -}}
{{- if not (has $value .allowed) -}}
{{- printf "\n'%s' is %q; allowed: %s" .valueKey $value (join ", " .allowed) -}}
{{- end -}}
{{- end -}}
