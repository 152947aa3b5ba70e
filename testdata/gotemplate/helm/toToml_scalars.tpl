{{ toToml (dict "int" 1 "neg" -42 "i64" (int64 9223372036854775807) "t" true "f" false "s" "text" "empty" "") }}
{{ toToml (dict "f1" 1.5 "f2" 3.0 "f3" 1000000.0 "f4" 123456.0 "f5" 0.00001 "f6" 1e21 "f7" -0.0 "f8" 0.1 "f9" 1234567.0 "f10" -2.5e-7) }}
{{- toToml (dict "inf" (float64 "+Inf") "ninf" (float64 "-Inf")) }}
