a{{/* comment */}}b{{/* multi
line */}}c