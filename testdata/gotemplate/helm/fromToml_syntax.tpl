{{- $h := fromToml "hex = 0xff\noct = 0o17\nbin = 0b101\nbig = 9_223_372_036_854_775_807\nexp = 5e+22\nneg = -0.0\nstr = '''\nraw\\n'''\nml = \"\"\"\nline1\nline2\"\"\"\nesc = \"tab\\tquote\\\"u\\u00e9\"\ninl = { a = 1, b = { c = [] } }\n\"quoted key\" = 1\ndotted.key.x = 2\n# comment\n" }}
{{ toJson $h }}
{{ typeOf $h.inl }} {{ $h.hex }} {{ $h.big }} {{ $h.exp }} {{ $h.neg }}
{{- $s := fromToml "inf = inf\nninf = -inf\nnan = nan\n" }}
{{ $s.inf }} {{ $s.ninf }} {{ $s.nan }} {{ typeOf $s.nan }}
