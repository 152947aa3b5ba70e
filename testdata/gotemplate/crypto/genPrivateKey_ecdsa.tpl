{{- $k := genPrivateKey "ecdsa" -}}
{{- $flat := $k | replace "\n" "" -}}
{{ hasPrefix "-----BEGIN EC PRIVATE KEY-----\n" $k }} {{ hasSuffix "\n-----END EC PRIVATE KEY-----\n" $k }} {{ len $k }} {{ len (splitList "\n" $k) }}
{{ hasPrefix "-----BEGIN EC PRIVATE KEY-----MHcCAQEEI" $flat }} {{ contains "oAoGCCqGSM49AwEHoUQDQgAE" $flat }} {{ ne $k (genPrivateKey "ecdsa") }}
