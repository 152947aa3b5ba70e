{{ toToml (dict "weird key" 1 "" 2 "dotted.key" 3 "ünï" 4 "q\"k" 5 "bare-key_1" 6 "t b" (dict "x y" (dict "z" 1))) }}
{{ toToml (dict "s" "line\nbreak\ttab \"q\" \\ \u0001 \u007f \r é 😀 \u00a0") }}
