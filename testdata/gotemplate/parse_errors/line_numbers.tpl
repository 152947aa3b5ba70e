line1
line2
{{ nope }}