{{- $name := "db" -}}
swap: {{ printf "%[2]s=%[1]s" "value" "key" }}
reuse: {{ printf "%[1]s-%[1]s-%[1]s" $name }}
then next: {{ printf "%[2]s %s" "a" "b" "c" }}
star width and precision: [{{ printf "%[3]*.[2]*[1]f" 2.71828 3 10 }}] [{{ printf "%[2]*[1]d" 42 6 }}]
unused after reordering: {{ printf "%[1]d" 1 2 3 }}
bad: {{ printf "%[9]d|%[0]s|%[one]v|%[1]4d|%[1" 5 }}
bad verb keeps flags: {{ printf "%6z|%-5k|%+y" 7 "ab" 3 }}
go syntax nils: {{ printf "%#v" (list nil "x" (dict "k" nil)) }}
