{{/* Reuse the password stored in the live Secret, else the value, else a fixed fallback
     (real charts use randAlphaNum; avoided here to keep output stable). */}}
{{- define "keeper.password" -}}
{{- $secret := lookup "v1" "Secret" .ctx.Release.Namespace .name -}}
{{- if and $secret (hasKey ($secret.data | default dict) .key) -}}
{{- index $secret.data .key -}}
{{- else if .value -}}
{{- .value | b64enc -}}
{{- else -}}
{{- printf "%s-%s" .name .key | sha256sum | trunc 16 | b64enc -}}
{{- end -}}
{{- end -}}
