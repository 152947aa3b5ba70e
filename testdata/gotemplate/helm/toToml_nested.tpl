{{ toToml (dict "a" 1 "b" "s" "t" (dict "x" true "u" (dict "y" 2) "z" 3) "e" (dict)) }}
---
{{ toToml (dict "list" (list 1 "two" 3.5 true) "empty" (list) "nested" (list (list 1 2) (list "a")) "mixed" (list 1 (dict "k" "v" "n" (dict "d" 1)))) }}
---
{{ toToml (dict "tables" (list (dict "name" "a" "n" 1) (dict "name" "b" "sub" (dict "x" 1))) "top" 0) }}
---
{{ toToml (dict "a" (list (dict "b" (list (dict "c" 1)))) "z" (dict "y" (dict "x" (dict "w" 1)))) }}
---
{{ toToml (dict "k" (dict "in" (list (dict "a" 1 "n" nil) 2)) "n" nil "strs" (splitList "," "a,b")) }}
