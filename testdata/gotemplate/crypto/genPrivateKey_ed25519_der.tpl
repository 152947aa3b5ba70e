{{- $k := genPrivateKey "ed25519" -}}
{{ hasPrefix "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI" $k }} {{ len (splitList "\n" $k) }}
