{{- $m := fromToml "a = 1\nb = \"s\"\nf = 1.5\nt = true\narr = [1, 2, 3]\n[tab]\nx = \"y\"\n[tab.sub]\nz = 2\n[[items]]\nname = \"one\"\n[[items]]\nname = \"two\"\n" }}
{{ $m.a }} {{ kindOf $m.a }} {{ typeOf $m.a }} {{ $m.f }} {{ typeOf $m.f }} {{ $m.t }} {{ typeOf $m.arr }} {{ $m.tab.sub.z }} {{ (index $m.items 1).name }} {{ len $m.items }}
{{ toJson $m }}
{{ printf "%d %v" $m.a $m.arr }} {{ add $m.a 1 }}
