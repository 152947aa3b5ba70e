line1
{{ "x"
"y"
