imaginary: {{ 4i }} {{ -0.25i }} {{ 6.02e3i }}
complex: {{ 2+3i }} {{ -1.5-4i }} {{ 1e1+1e-1i }} {{ 0x1p1+0x1p-1i }}
types: {{ typeOf 3i }} {{ kindOf (5-1i) }} {{ typeOf 7+0i }}
truth: {{ if 0i }}yes{{ else }}no{{ end }} {{ if 0+2i }}yes{{ else }}no{{ end }} {{ empty 0i }} {{ not 1i }}
equal: {{ eq 1+1i 1+1i }} {{ ne 2i 3i }}
lists: {{ list 1i 2 "x" }} {{ dict "c" -2i }} {{ print 1i 2i }}
strings: {{ toString 8i | quote }} {{ join "/" (list 3i 4) }} [{{ toJson 5i }}]
integral real part: {{ repeat 2+0i "na" }} {{ int 3+0i }}
{{ $z := 9-9i }}{{ $z }} {{ with 0.5i }}{{ . }}{{ end }}
