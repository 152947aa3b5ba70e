{{- $doc := "ratio = 0.25\nreplicas = 3\ntitle = \"x\"\n\n[owner]\n  name = \"Tom\"\n  [owner.address]\n    city = \"Berlin\"\n\n[[servers]]\n  ip = \"10.0.0.1\"\n\n[[servers]]\n  ip = \"10.0.0.2\"\n  ports = [80, 443]\n" -}}
{{ toToml (fromToml $doc) }}
{{- eq (toToml (fromToml $doc)) $doc }}
