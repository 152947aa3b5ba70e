{{ define "cfg" }}a: 1
b: [x, y]{{ end }}{{ $c := include "cfg" . | fromYaml }}{{ $c.a }} {{ $c.b }}